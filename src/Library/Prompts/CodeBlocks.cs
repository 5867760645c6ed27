using System.Text.RegularExpressions;

namespace OptLib.Library.Prompts;

/// <summary>The templates ask for a program in one ```csharp block: finding it in a reply, and refusing a reply without one.</summary>
public static partial class CodeBlocks
{
    /// <summary>A reply check for <see cref="Models.JsonReplies.AskTextAsync"/>: a reply without a ```csharp block is not a program.</summary>
    public static string? Check(string reply) =>
        Fence().IsMatch(reply) ? null : "it has no ```csharp block holding the program";

    /// <summary>The code in the reply's ```csharp block, or the whole reply when there is none.</summary>
    public static string Extract(string reply)
    {
        var match = Fence().Match(reply);
        return match.Success ? match.Groups[1].Value.Trim() : reply.Trim();
    }

    [GeneratedRegex(@"```(?:csharp|cs|c#)?\s*\n(.*?)```", RegexOptions.Singleline | RegexOptions.IgnoreCase)]
    private static partial Regex Fence();
}
