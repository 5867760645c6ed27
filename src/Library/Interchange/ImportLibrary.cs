using System.Globalization;
using Mediator;
using Microsoft.EntityFrameworkCore;
using OptLib.Library.Audit;
using OptLib.Library.Insights;
using OptLib.Library.Retrieval;
using OptLib.Library.Storage;
using OptLib.Library.Taxonomy;
using OptLib.Library.Validation;
using Pgvector;

namespace OptLib.Library.Interchange;

/// <summary>
/// Imports an AlphaOPT library and taxonomy. Idempotent: an insight is known by its source and insight_id, so a
/// second import of the same files changes nothing, and a changed file updates (as a new version) what changed.
/// Labels are matched tolerantly; a label the taxonomy lacks is added rather than orphaning the insight.
/// </summary>
public sealed record ImportLibrary([property: RequestBody] AlphaOptDocument Document, string Actor) : IRequest<ImportReport>, IValidatable
{
    public IEnumerable<(string Field, string Error)> Validate()
    {
        if (Document.Library is null)
        {
            yield return ("library", "The import needs 'library': the array of insights from AlphaOPT's library.json.");
        }
        else if (Document.Library.Any(i => i is null))
        {
            yield return ("library", "The library holds a null entry.");
        }
    }
}

public sealed record ImportReport(int Created, int Updated, int Skipped, int LabelsCreated, int LabelsUpdated, IReadOnlyList<ImportItem> Items, IReadOnlyList<string> Notes);

/// <summary>What happened to one entry: created, updated or skipped, and why.</summary>
public sealed record ImportItem(long InsightId, string? Source, long? Id, string Outcome, string Reason);

public sealed class ImportLibraryHandler(OptLibDbContext db, IEmbeddingProvider embeddings) : IRequestHandler<ImportLibrary, ImportReport>
{
    public async ValueTask<ImportReport> Handle(ImportLibrary request, CancellationToken cancellationToken)
    {
        var vectors = await VectorsAsync(request.Document.Library!, cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        // Insights are matched by (source, insight_id), which no unique index guards: two imports of one file at the
        // same moment would both add them. Imports therefore take turns; the second finds the first one's rows.
        await db.Database.ExecuteSqlRawAsync("SELECT pg_advisory_xact_lock(hashtext('optlib.import-library'))", cancellationToken);
        var tree = await TaxonomyTree.LoadAsync(db, cancellationToken);
        var notes = new List<string>();
        var (labelsCreated, labelsUpdated) = ImportTaxonomy(tree, request.Document.Taxonomy, notes);

        var existing = await db.Insights.Include(i => i.Taxonomy).ToListAsync(cancellationToken);
        var byKey = new Dictionary<(string, string), Insight>();
        foreach (var insight in existing)
        {
            var source = insight.Origin.Source ?? AlphaOptSources.OptLib;
            byKey.TryAdd((source, insight.Origin.ExternalId ?? insight.Id.ToString(CultureInfo.InvariantCulture)), insight);
        }

        var items = new List<ImportItem>();
        var changed = new List<(Insight Insight, int Index, string Reason)>();
        var seen = new HashSet<(string, string)>();
        var now = DateTimeOffset.UtcNow;
        foreach (var entry in request.Document.Library!)
        {
            var source = string.IsNullOrWhiteSpace(entry.Source) ? AlphaOptSources.AlphaOpt : entry.Source.Trim().ToLowerInvariant();
            var externalId = entry.InsightId.ToString(CultureInfo.InvariantCulture);
            if (!seen.Add((source, externalId)))
            {
                items.Add(new(entry.InsightId, entry.Source, null, "skipped", "Another entry of this file has the same insight_id; the first one was used."));
                continue;
            }

            if (Problems(entry) is { } problem)
            {
                items.Add(new(entry.InsightId, entry.Source, null, "skipped", problem));
                continue;
            }

            var labels = new List<TaxonomyNode>();
            foreach (var path in Paths(entry))
            {
                var (node, created) = tree.Ensure(path);
                if (created)
                {
                    labelsCreated++;
                    notes.Add($"Added the label '{string.Join(" / ", path)}', which insight {entry.InsightId} uses and the taxonomy file lacks.");
                }

                if (!labels.Contains(node))
                {
                    labels.Add(node);
                }
            }

            if (labels.Count == 0)
            {
                items.Add(new(entry.InsightId, entry.Source, null, "skipped", "The entry names no level-2 taxonomy label."));
                continue;
            }

            var desired = Desired(entry, source, externalId);
            byKey.TryGetValue((source, externalId), out var current);
            if (current is null)
            {
                desired.Status = ParseStatus(entry.Status) ?? InsightStatus.Active;
                desired.Version = 1;
                desired.Taxonomy = labels;
                desired.CreatedAt = desired.UpdatedAt = now;
                desired.CreatedBy = desired.UpdatedBy = request.Actor;
                db.Insights.Add(desired);
                byKey[(source, externalId)] = desired;
                changed.Add((desired, items.Count, $"imported from {source} insight {externalId}"));
                items.Add(new(entry.InsightId, entry.Source, null, "created", "New insight."));
                continue;
            }

            var differences = Differences(current, desired, labels, ParseStatus(entry.Status));
            if (differences.Count == 0)
            {
                items.Add(new(entry.InsightId, entry.Source, current.Id, "skipped", "Unchanged: the library already holds this insight as it is in the file."));
                continue;
            }

            current.Condition = desired.Condition;
            current.Explanation = desired.Explanation;
            current.Example = desired.Example;
            current.Origin = desired.Origin;
            current.Usage = desired.Usage;
            current.Evidence = desired.Evidence;
            current.Status = ParseStatus(entry.Status) ?? current.Status;
            current.Taxonomy.Clear();
            current.Taxonomy.AddRange(labels);
            current.Version++;
            current.UpdatedAt = now;
            current.UpdatedBy = request.Actor;
            var reason = "re-imported; changed: " + string.Join(", ", differences);
            changed.Add((current, items.Count, reason));
            items.Add(new(entry.InsightId, entry.Source, current.Id, "updated", $"Changed: {string.Join(", ", differences)}."));
        }

        await embeddings.EmbedAsync(changed.Select(c => c.Insight), vectors, cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        tree.Refresh();
        foreach (var (insight, index, reason) in changed)
        {
            InsightHistory.Track(db, insight, tree, request.Actor, reason);
            items[index] = items[index] with { Id = insight.Id };
        }

        var report = new ImportReport(
            items.Count(i => i.Outcome == "created"), items.Count(i => i.Outcome == "updated"), items.Count(i => i.Outcome == "skipped"),
            labelsCreated, labelsUpdated, items, notes);
        await AuditLog.WriteAsync(db, request.Actor, "import", "library", null,
            new { report.Created, report.Updated, report.Skipped, report.LabelsCreated, report.LabelsUpdated }, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return report;
    }

    /// <summary>
    /// A vector for every text of the file, made before the import's transaction opens: the library's own for a text it
    /// already holds embedded with this model, a new one otherwise.
    /// </summary>
    private async Task<Dictionary<string, Vector>> VectorsAsync(IEnumerable<AlphaOptInsight> entries, CancellationToken ct)
    {
        var texts = entries.Where(e => Problems(e) is null).Select(e => InsightEmbedding.TextOf(Desired(e, string.Empty, string.Empty))).ToHashSet(StringComparer.Ordinal);
        var vectors = new Dictionary<string, Vector>(StringComparer.Ordinal);
        await foreach (var held in db.Insights.AsNoTracking().Where(i => i.EmbeddingModel == embeddings.ModelId && i.Embedding != null)
                           .Select(i => new { i.Condition, i.Explanation, i.Embedding }).AsAsyncEnumerable().WithCancellation(ct))
        {
            var text = held.Condition + "\n" + held.Explanation;
            if (texts.Contains(text))
            {
                vectors.TryAdd(text, held.Embedding!);
            }
        }

        foreach (var text in texts.Where(t => !vectors.ContainsKey(t)))
        {
            vectors[text] = new Vector(await embeddings.EmbedAsync(text, ct));
        }

        return vectors;
    }

    private static (int Created, int Updated) ImportTaxonomy(TaxonomyTree tree, Dictionary<string, Dictionary<string, Dictionary<string, AlphaOptLabel>>>? taxonomy, List<string> notes)
    {
        var (created, updated) = (0, 0);
        foreach (var (stage, level1s) in taxonomy ?? [])
        {
            foreach (var (level1, level2s) in level1s ?? [])
            {
                foreach (var (level2, label) in level2s ?? [])
                {
                    if (string.IsNullOrWhiteSpace(stage) || string.IsNullOrWhiteSpace(level1) || string.IsNullOrWhiteSpace(level2))
                    {
                        notes.Add($"Ignored a taxonomy label with an empty level: '{stage} / {level1} / {level2}'.");
                        continue;
                    }

                    var definition = label?.Definition?.Trim() ?? string.Empty;
                    var condition = label?.Condition?.Trim() ?? string.Empty;
                    var (node, isNew) = tree.Ensure([stage, level1, level2], definition, condition);
                    if (isNew)
                    {
                        created++;
                    }
                    else if ((definition.Length > 0 && node.Definition != definition) || (condition.Length > 0 && node.Condition != condition))
                    {
                        // The file's wording wins for labels it defines; our own labels it does not mention stay.
                        node.Definition = definition.Length > 0 ? definition : node.Definition;
                        node.Condition = condition.Length > 0 ? condition : node.Condition;
                        node.UpdatedAt = DateTimeOffset.UtcNow;
                        updated++;
                    }
                }
            }
        }

        return (created, updated);
    }

    private static string? Problems(AlphaOptInsight entry)
    {
        var errors = InsightRules.Validate(entry.Condition ?? string.Empty, entry.Explanation ?? string.Empty, entry.Example ?? string.Empty, [0])
            .Select(e => e.Error).ToList();
        if (entry.Status is { } status && ParseStatus(status) is null)
        {
            errors.Add($"The status '{status}' is not one of proposed, active, retired.");
        }

        return errors.Count > 0 ? string.Join(" ", errors) : null;
    }

    private static IEnumerable<string[]> Paths(AlphaOptInsight entry)
    {
        foreach (var (stage, level1s) in entry.Taxonomy ?? [])
        {
            foreach (var (level1, level2s) in level1s ?? [])
            {
                foreach (var level2 in level2s ?? [])
                {
                    if (!string.IsNullOrWhiteSpace(stage) && !string.IsNullOrWhiteSpace(level1) && !string.IsNullOrWhiteSpace(level2))
                    {
                        yield return [stage, level1, level2];
                    }
                }
            }
        }
    }

    private static Insight Desired(AlphaOptInsight entry, string source, string externalId)
    {
        var d = entry.Distribution ?? new AlphaOptDistribution();
        var evidence = new UsageEvidence
        {
            Positive = d.Positive ?? [],
            Negative = d.Negative ?? [],
            Unretrieved = d.Unretrieved ?? [],
            Irrelevant = d.Irrelevant ?? [],
            Invalid = d.Invalid ?? [],
        };
        return new Insight
        {
            // Kept exactly as written, trailing new lines included, so an export gives back the same text.
            Condition = entry.Condition!,
            Explanation = entry.Explanation!,
            Example = entry.Example ?? string.Empty,
            CreatedBy = string.Empty,
            UpdatedBy = string.Empty,
            Origin = new InsightOrigin
            {
                Source = source,
                ExternalId = externalId,
                Iteration = entry.Iteration,
                ExternalVersion = entry.Version,
                Occurrence = entry.Occurrence,
                TaskIds = AlphaOptSources.TaskIds(entry.TaskId),
                TaskIdIsList = entry.TaskId.ValueKind == System.Text.Json.JsonValueKind.Array,
            },
            Evidence = evidence,
            Usage = new UsageCounters
            {
                Positive = evidence.Positive.Distinct().Count(),
                Negative = evidence.Negative.Distinct().Count(),
                Unretrieved = evidence.Unretrieved.Distinct().Count(),
                Irrelevant = evidence.Irrelevant.Distinct().Count(),
                Invalid = evidence.Invalid.Distinct().Count(),
            },
        };
    }

    private static List<string> Differences(Insight current, Insight desired, List<TaxonomyNode> labels, InsightStatus? status)
    {
        var differences = new List<string>();
        if (current.Condition != desired.Condition)
        {
            differences.Add("condition");
        }

        if (current.Explanation != desired.Explanation)
        {
            differences.Add("explanation");
        }

        if (current.Example != desired.Example)
        {
            differences.Add("example");
        }

        if (!current.Taxonomy.Select(n => n.PathKey).Order().SequenceEqual(labels.Select(n => n.PathKey).Order()))
        {
            differences.Add("taxonomy");
        }

        var (o, n) = (current.Origin, desired.Origin);
        if (o.Iteration != n.Iteration || o.ExternalVersion != n.ExternalVersion || o.Occurrence != n.Occurrence || !o.TaskIds.SequenceEqual(n.TaskIds) || (o.TaskIdIsList ?? false) != n.TaskIdIsList)
        {
            differences.Add("provenance");
        }

        var (e, f) = (current.Evidence, desired.Evidence);
        if (!e.Positive.SequenceEqual(f.Positive) || !e.Negative.SequenceEqual(f.Negative) || !e.Unretrieved.SequenceEqual(f.Unretrieved) ||
            !e.Irrelevant.SequenceEqual(f.Irrelevant) || !e.Invalid.SequenceEqual(f.Invalid))
        {
            differences.Add("distribution");
        }

        if (status is { } s && s != current.Status)
        {
            differences.Add("status");
        }

        return differences;
    }

    private static InsightStatus? ParseStatus(string? status) => InsightStatuses.Parse(status);
}
