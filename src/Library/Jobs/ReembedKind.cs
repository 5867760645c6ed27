using System.Globalization;
using System.Text.Json;
using Mediator;
using Microsoft.EntityFrameworkCore;
using OptLib.Library.Retrieval;
using OptLib.Library.Storage;

namespace OptLib.Library.Jobs;

/// <summary>
/// Brings every insight embedded by another model (or not at all) to the configured embedding, one item per slice of
/// ids, with the same logic as POST /api/library/reembed. An item only touches insights still stale, so a re-run
/// slice does nothing twice.
/// </summary>
public sealed class ReembedKind(OptLibDbContext db, ISender sender, IEmbeddingProvider embeddings) : IJobKind
{
    public const string KindName = "reembed";
    public const string Phase = "reembed";

    public sealed record Parameters(int BatchSize = 100);

    public sealed record SliceResult(long FromId, long ToId, int Reembedded);

    public string Name => KindName;

    public string Summary => "Re-embeds insights embedded by another model, a slice of ids per item (batchSize).";

    public IEnumerable<(string Field, string Error)> Validate(JsonElement parameters)
    {
        Parameters? p;
        try
        {
            p = parameters.Deserialize<Parameters>(JobContext.Json);
        }
        catch (JsonException ex)
        {
            return [("parameters", $"Expected {{ batchSize }}: {ex.Message}")];
        }

        return p?.BatchSize is >= 1 and <= 1000 ? [] : [("parameters.batchSize", "Between 1 and 1000 insights per item.")];
    }

    public async Task<JobPhase?> PlanAsync(JobContext job, int index, CancellationToken cancellationToken)
    {
        if (index > 0)
        {
            return null;
        }

        var stale = await db.Insights.AsNoTracking()
            .Where(i => i.Embedding == null || i.EmbeddingModel == null || i.EmbeddingModel != embeddings.ModelId)
            .OrderBy(i => i.Id).Select(i => i.Id).ToListAsync(cancellationToken);
        await job.LogAsync($"{stale.Count} insights are not embedded by {embeddings.ModelId}.", cancellationToken: cancellationToken);
        return new JobPhase(Phase, stale.Chunk(job.ParametersAs<Parameters>().BatchSize)
            .Select(slice => string.Create(CultureInfo.InvariantCulture, $"{slice[0]}-{slice[^1]}")).ToList());
    }

    public async Task<object?> RunItemAsync(JobItemContext item, CancellationToken cancellationToken)
    {
        var bounds = item.Key.Split('-').Select(b => long.Parse(b, CultureInfo.InvariantCulture)).ToArray();
        var report = await sender.Send(new ReembedInsights($"job:{item.JobId}", item.ParametersAs<Parameters>().BatchSize, bounds[0], bounds[1]), cancellationToken);
        return new SliceResult(bounds[0], bounds[1], report.Reembedded);
    }

    public async Task<JobOutcome> FinishAsync(JobContext job, CancellationToken cancellationToken)
    {
        var slices = await job.ResultsAsync(Phase, cancellationToken);
        var reembedded = slices.Sum(s => s.ResultAs<SliceResult>()?.Reembedded ?? 0);
        var failed = slices.Count(s => s.State == JobItemState.Failed);
        var remaining = await EmbeddingDrift.CountAsync(db, embeddings, cancellationToken);
        return new JobOutcome(new { model = embeddings.ModelId, reembedded, slices = slices.Count, failedSlices = failed, remaining },
            $"# Re-embedding\n\n{reembedded} insights re-embedded with {embeddings.ModelId} in {slices.Count} slices ({failed} failed); {remaining} still stale.\n");
    }
}
