using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Mediator;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using OptLib.Library.Insights;
using OptLib.Library.Problems;
using OptLib.Library.Solving;
using OptLib.Library.Storage;
using OptLib.Solver;

namespace OptLib.Library.Learning;

/// <summary>
/// Re-solves a problem through the whole pipeline as a side run (not queued for learning, the problem's status
/// untouched) with extra insights in its prompts and others left out, and says whether it reached the answer. It
/// counts its solves by purpose (learning reports them), and remembers the verdict of one insight text on one
/// problem, so the same text is never re-verified on the same problem twice.
/// </summary>
public sealed class SolveVerification(ISender sender, OptLibDbContext db, IOptions<SolverOptions> solver)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly Dictionary<string, int> _solves = new(StringComparer.Ordinal);

    private sealed record Remembered(bool Reached, long AttemptId);

    /// <summary>Solves so far in this scope, by purpose ("verify", "verify-merge", "diagnose", ...).</summary>
    public IReadOnlyDictionary<string, int> Solves => _solves;

    public async Task<(bool Reached, long AttemptId)> RunAsync(Problem problem, string purpose, IReadOnlyList<long> extra, IReadOnlyList<long> excluded, CancellationToken ct)
    {
        var kind = purpose.Split(' ', 2)[0];
        _solves[kind] = _solves.GetValueOrDefault(kind) + 1;
        var attemptId = await sender.Send(new SolveSideRun(problem.Id, new SideRun(purpose, extra, excluded)), ct);
        var objective = await db.Attempts.AsNoTracking().Where(a => a.Id == attemptId).Select(a => a.Objective).SingleAsync(ct);
        return (Answers.Reaches(problem, objective, solver.Value), attemptId);
    }

    /// <summary>
    /// The verdict of the insight text alone on the problem: remembered when this text was verified there before,
    /// else solved now (with the text's insight in, <paramref name="excluded"/> out) and remembered.
    /// </summary>
    public async Task<(bool Reached, long AttemptId, bool FromMemory)> VerdictAsync(Problem problem, Insight text, string purpose, IReadOnlyList<long> excluded, CancellationToken ct)
    {
        var key = Key(text, problem.Id);
        if (await db.Set<LearningRecord>().AsNoTracking().FirstOrDefaultAsync(r => r.Kind == LearningRecord.VerdictKind && r.Key == key, ct) is { } known
            && known.Outcome.Deserialize<Remembered>(Json) is { } remembered)
        {
            return (remembered.Reached, remembered.AttemptId, true);
        }

        var (reached, attemptId) = await RunAsync(problem, purpose, [text.Id], excluded, ct);
        await RememberAsync(problem.Id, text, reached, attemptId, ct);
        return (reached, attemptId, false);
    }

    /// <summary>Records what the text did on the problem; a verdict already there (another learner's) stands.</summary>
    public async Task RememberAsync(long problemId, Insight text, bool reached, long attemptId, CancellationToken ct)
    {
        var key = Key(text, problemId);
        var outcome = JsonSerializer.Serialize(new Remembered(reached, attemptId), Json);
        await db.Database.ExecuteSqlInterpolatedAsync($"""
            INSERT INTO learning_records (kind, key, outcome, created_at) VALUES ({LearningRecord.VerdictKind}, {key}, {outcome}::jsonb, now())
            ON CONFLICT (kind, key) DO NOTHING
            """, ct);
    }

    /// <summary>What the pipeline is shown of an insight (condition, explanation, example, labels), hashed, with the problem.</summary>
    private static string Key(Insight text, long problemId)
    {
        var shown = string.Join('\u001f', text.Condition.Trim(), text.Explanation.Trim(), text.Example.Trim(),
            string.Join(',', text.Taxonomy.Select(t => t.Id).Order()));
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(shown)));
        return $"{hash}|{problemId.ToString(CultureInfo.InvariantCulture)}";
    }
}
