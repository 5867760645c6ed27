using Mediator;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OptLib.Library.Storage;

namespace OptLib.Library.Retrieval;

/// <summary>
/// At start-up, detects insights embedded by another provider or width than the configured one and re-embeds them
/// in the background. Until it finishes, retrieval compares vectors of the current model only (and full text).
/// </summary>
internal sealed class EmbeddingModelCheck(IServiceScopeFactory scopes, ILogger<EmbeddingModelCheck> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<OptLibDbContext>();
            var embeddings = scope.ServiceProvider.GetRequiredService<IEmbeddingProvider>();
            var stale = await EmbeddingDrift.CountAsync(db, embeddings, stoppingToken);
            if (stale == 0)
            {
                return;
            }

            logger.LogWarning("{Count} insights are not embedded with {Model}; re-embedding them in the background", stale, embeddings.ModelId);
            var report = await scope.ServiceProvider.GetRequiredService<ISender>().Send(new ReembedInsights("system:start-up"), stoppingToken);
            logger.LogInformation("Re-embedded {Count} insights with {Model}", report.Reembedded, report.Model);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // shutting down; the next start picks up where this one stopped
        }
        catch (Exception e) when (e is EmbeddingUnavailableException or Npgsql.NpgsqlException)
        {
            logger.LogWarning("Re-embedding stopped: {Reason}. It resumes at the next start or with POST /api/library/reembed.", e.Message);
        }
    }
}
