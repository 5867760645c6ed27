using System.Globalization;
using Microsoft.EntityFrameworkCore;
using OptLib.Library.Insights;
using OptLib.Library.Storage;

namespace OptLib.Library.Retrieval;

/// <summary>
/// The full-text half of retrieval, bounded at any library size. A problem's words become an OR query (as an AND, a
/// whole problem statement matches nothing), and an OR of a problem's hundred words matches most of a large library,
/// which PostgreSQL then ranks row by row: a second at 100k insights. So once the library has more active insights
/// than <see cref="RetrievalOptions.MaxTextMatches"/>, the query keeps the problem's rarest words, as many as keep the
/// rows they can match under that bound by the library's document frequencies. A smaller library keeps every word.
/// The frequencies are estimated from a sample of the active insights and kept for <see cref="Lifetime"/>: how rare a
/// word is changes slowly, and a stale estimate only changes which rare words are kept. A library whose size moved by
/// more than a quarter since (an import), or across the bound, has them estimated again at once.
/// </summary>
public sealed class TextQuery(TimeProvider time)
{
    /// <summary>At most this many active insights are read to estimate the document frequencies.</summary>
    public const int SampleRows = 5_000;

    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(5);

    /// <summary>The query's words, most of a problem; more add nothing but cost.</summary>
    private const int MaxWords = 200;

    private readonly SemaphoreSlim _refresh = new(1, 1);
    private Frequencies? _current;

    private sealed record Frequencies(DateTimeOffset Taken, long Rows, double Scale, Dictionary<string, long> Documents);

    /// <summary>
    /// A tsquery of the text's words for the english configuration (an OR), or null when it has none.
    /// <paramref name="active"/> is the number of active insights as the caller knows it now at no cost, when it does.
    /// </summary>
    public async Task<string?> BuildAsync(OptLibDbContext db, string text, int maxMatches, long? active, CancellationToken ct)
    {
        // Reduced to letters and digits, so nothing the client wrote can break the tsquery syntax.
        var words = LexicalEmbedding.Tokens(text).Where(w => w.All(char.IsAsciiLetterOrDigit)).Distinct().Take(MaxWords).ToList();
        if (words.Count == 0)
        {
            return null;
        }

        var frequencies = await FrequenciesAsync(db, maxMatches, active, ct);
        if (frequencies.Rows <= maxMatches)
        {
            return string.Join(" | ", words);
        }

        // Each word's lexeme, as full-text search stems it; stop words have none and match nothing.
        var lexemes = await db.Database.SqlQuery<WordLexeme>(
                $"SELECT w AS word, (tsvector_to_array(to_tsvector('english', w)))[1] AS lexeme FROM unnest({words.ToArray()}) AS w")
            .ToListAsync(ct);
        var kept = new List<string>();
        var matches = 0.0;
        // Numbers are rare but name quantities, not modelling topics.
        foreach (var (word, documents) in lexemes.Where(l => l.Lexeme is not null && !l.Word.All(char.IsAsciiDigit))
                     .Select(l => (l.Word, Documents: frequencies.Documents.GetValueOrDefault(l.Lexeme!) * frequencies.Scale))
                     .OrderBy(w => w.Documents).ThenBy(w => w.Word, StringComparer.Ordinal))
        {
            if (kept.Count > 0 && matches + documents > maxMatches)
            {
                break;
            }

            kept.Add(word);
            matches += documents;
        }

        return kept.Count == 0 ? null : string.Join(" | ", kept);
    }

    private sealed record WordLexeme(string Word, string? Lexeme);

    /// <summary>
    /// The document frequencies, refreshed by the first caller that finds them stale; the others go on with the
    /// stale ones meanwhile, and only the very first callers wait.
    /// </summary>
    private async Task<Frequencies> FrequenciesAsync(OptLibDbContext db, int maxMatches, long? active, CancellationToken ct)
    {
        var current = _current;
        if (current is not null && Fresh(current, maxMatches, active))
        {
            return current;
        }

        // With stale frequencies in hand, a caller that finds another refreshing them goes on with the stale ones, unless
        // the library's size has left them behind.
        if (!await _refresh.WaitAsync(current is null || !Near(current.Rows, active, maxMatches) ? Timeout.Infinite : 0, ct))
        {
            return current!;
        }

        try
        {
            if (_current is { } fresh && Fresh(fresh, maxMatches, active))
            {
                return fresh;
            }

            var taken = time.GetUtcNow();
            var rows = await db.Insights.LongCountAsync(i => i.Status == InsightStatus.Active, ct);
            var documents = new Dictionary<string, long>(StringComparer.Ordinal);
            var scale = 1.0;
            if (rows > maxMatches)
            {
                // TABLESAMPLE SYSTEM reads whole pages at random, so the sample costs what its rows cost. ts_stat runs
                // the query it is given as text; the percentage in it is a number of ours, not input.
                var fraction = Math.Min(100.0, 100.0 * SampleRows / rows);
                var sample = $"SELECT search_vector FROM insights TABLESAMPLE SYSTEM ({fraction.ToString("R", CultureInfo.InvariantCulture)}) REPEATABLE (1) WHERE status = 'active'";
                var stats = await db.Database.SqlQuery<LexemeCount>($"SELECT word, ndoc FROM ts_stat({sample})").ToListAsync(ct);
                var sampled = await db.Database.SqlQuery<long>(
                    $"SELECT count(*) AS \"Value\" FROM insights TABLESAMPLE SYSTEM ({fraction}) REPEATABLE (1) WHERE status = 'active'").SingleAsync(ct);
                documents = stats.ToDictionary(s => s.Word, s => (long)s.Ndoc, StringComparer.Ordinal);
                scale = sampled == 0 ? 1.0 : (double)rows / sampled;
            }

            return _current = new Frequencies(taken, rows, scale, documents);
        }
        finally
        {
            _refresh.Release();
        }
    }

    private bool Fresh(Frequencies frequencies, int maxMatches, long? active) =>
        time.GetUtcNow() - frequencies.Taken < Lifetime && Near(frequencies.Rows, active, maxMatches);

    /// <summary>Whether an estimate made at <paramref name="rows"/> active insights still fits <paramref name="active"/>.</summary>
    private static bool Near(long rows, long? active, int maxMatches) =>
        active is not { } now || (rows > maxMatches == now > maxMatches && Math.Abs(rows - now) <= Math.Max(rows, now) / 4);

    private sealed record LexemeCount(string Word, int Ndoc);
}
