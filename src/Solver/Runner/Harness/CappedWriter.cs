using System.Text;

namespace OptLib.Solver.Runner.Harness;

internal sealed class OutputLimitException(int limit) : Exception($"the program printed more than {limit} characters");

/// <summary>Console output of the program: kept up to a cap, then every further write fails.</summary>
internal sealed class CappedWriter(int limit) : TextWriter
{
    private readonly StringBuilder _text = new();

    public bool Exceeded { get; private set; }

    public override Encoding Encoding => Encoding.UTF8;

    public string Text => _text.ToString();

    public override void Write(char value)
    {
        Take(1);
        _text.Append(value);
    }

    public override void Write(string? value)
    {
        if (value is null)
            return;
        Take(value.Length);
        _text.Append(value);
    }

    public override void Write(char[] buffer, int index, int count)
    {
        Take(count);
        _text.Append(buffer, index, count);
    }

    private void Take(int count)
    {
        if (_text.Length + count <= limit)
            return;
        Exceeded = true;
        throw new OutputLimitException(limit);
    }
}
