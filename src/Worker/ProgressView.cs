using System.Globalization;
using OptLib.Library.Jobs;

namespace OptLib.Worker;

/// <summary>
/// Shows long work while it runs (a job, a download): an in-place progress bar when the output is a terminal, one
/// plain line per change of status otherwise (logs, CI). A job's new log lines are printed as they arrive.
/// </summary>
internal sealed class ProgressView(TextWriter output, bool terminal)
{
    private const int BarWidth = 30;
    private DateTimeOffset _lastLogAt = DateTimeOffset.MinValue;
    private string? _lastStatus;

    public static ProgressView ForConsole() => new(Console.Out, !Console.IsOutputRedirected);

    public void Show(JobDto job)
    {
        foreach (var line in job.Log.Where(l => l.At > _lastLogAt))
        {
            Write($"  {line.At:HH:mm:ss} {line.Level}: {line.Message}", newLine: true);
            _lastLogAt = line.At;
        }

        Show(job.Progress.Done, job.Progress.Total, Status(job));
    }

    /// <summary>The bar at <paramref name="done"/> of <paramref name="total"/> on a terminal; otherwise the status, when it changed.</summary>
    public void Show(long done, long total, string status)
    {
        if (terminal)
        {
            Write(Bar(done, total) + " " + status, newLine: false);
        }
        else if (status != _lastStatus)
        {
            output.WriteLine(status);
        }

        _lastStatus = status;
    }

    /// <summary>Ends the bar's line on a terminal, then writes <paramref name="line"/>, if any.</summary>
    public void Done(string? line = null)
    {
        if (terminal)
        {
            output.WriteLine();
        }

        if (line is not null)
        {
            output.WriteLine(line);
        }
    }

    public void Done(JobDto job)
    {
        Show(job);
        Done(string.Create(CultureInfo.InvariantCulture, $"Job {job.Id} ({job.Kind}) {job.State}{(job.Error is null ? "" : ": " + job.Error)}"));
    }

    private static string Status(JobDto job)
    {
        var percent = job.Progress.Total == 0 ? 0 : 100 * job.Progress.Done / job.Progress.Total;
        return string.Create(CultureInfo.InvariantCulture, $"{job.Progress.Done}/{job.Progress.Total} ({percent}%) {job.State}: {job.CurrentStep}");
    }

    private static string Bar(long done, long total)
    {
        var filled = total == 0 ? 0 : (int)(BarWidth * Math.Min(done, total) / total);
        return "[" + new string('#', filled) + new string('.', BarWidth - filled) + "]";
    }

    /// <summary>In a terminal, clears the bar's line first; a log line then scrolls up and the bar is redrawn below.</summary>
    private void Write(string text, bool newLine)
    {
        if (!terminal)
        {
            output.WriteLine(text);
            return;
        }

        var width = Math.Max(20, SafeWidth() - 1);
        output.Write("\r\u001b[2K" + (text.Length > width ? text[..width] : text));
        if (newLine)
        {
            output.WriteLine();
        }

        output.Flush();
    }

    private static int SafeWidth()
    {
        try
        {
            return Console.WindowWidth > 0 ? Console.WindowWidth : 100;
        }
        catch (IOException)
        {
            return 100;
        }
    }
}
