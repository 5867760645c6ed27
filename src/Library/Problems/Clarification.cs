using System.Text.Json;

namespace OptLib.Library.Problems;

/// <summary>
/// What the formulation step asked instead of guessing: the parameters the problem lacks, and the questions whose
/// answers would settle it (missing data, or two readings that give different answers).
/// </summary>
public sealed record ClarificationRequest(IReadOnlyList<string> Questions, IReadOnlyList<string> Missing)
{
    public const int MaxItems = 20;
    public const int MaxItemLength = 500;

    /// <summary>
    /// The request in a formulation reply that is the JSON object <c>{"clarify": {"questions": [...], "missing": [...]}}</c>
    /// (bare or in a fenced block), with at least one question; null for a formulation.
    /// </summary>
    public static ClarificationRequest? Read(string reply)
    {
        var body = reply.Trim();
        if (body.StartsWith("```", StringComparison.Ordinal))
        {
            body = body.Trim('`').Trim();
            body = body.StartsWith("json", StringComparison.OrdinalIgnoreCase) ? body[4..].Trim() : body;
        }

        if (!body.StartsWith('{'))
        {
            return null; // a formulation, which may mention braces further on
        }

        try
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind != JsonValueKind.Object || !document.RootElement.TryGetProperty("clarify", out var clarify) || clarify.ValueKind != JsonValueKind.Object)
            {
                return null;
            }

            var questions = Strings(clarify, "questions");
            return questions.Count == 0 ? null : new ClarificationRequest(questions, Strings(clarify, "missing"));
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static List<string> Strings(JsonElement parent, string name) =>
        parent.TryGetProperty(name, out var items) && items.ValueKind == JsonValueKind.Array
            ? items.EnumerateArray().Where(i => i.ValueKind == JsonValueKind.String).Select(i => i.GetString()!.Trim())
                .Where(s => s.Length > 0).Select(s => s.Length > MaxItemLength ? s[..MaxItemLength] : s).Take(MaxItems).ToList()
            : [];
}

/// <summary>One round of questions on a problem, and the answers once given.</summary>
public sealed record Clarification(long AttemptId, IReadOnlyList<string> Questions, IReadOnlyList<string> Missing, DateTimeOffset AskedAt,
    string? Answers = null, string? AnsweredBy = null, DateTimeOffset? AnsweredAt = null);

public static class ProblemText
{
    /// <summary>The problem as the model reads it: its text, then every answer given to its questions so far.</summary>
    public static string ForModel(Problem problem)
    {
        var answered = (problem.Clarifications ?? []).Where(c => c.Answers is not null).ToList();
        if (answered.Count == 0)
        {
            return problem.Text;
        }

        var text = new System.Text.StringBuilder(problem.Text).AppendLine().AppendLine().AppendLine("Clarifications from the user:");
        foreach (var round in answered)
        {
            foreach (var question in round.Questions)
            {
                text.Append("Q: ").AppendLine(question);
            }

            text.Append("A: ").AppendLine(round.Answers);
        }

        return text.ToString().TrimEnd();
    }
}
