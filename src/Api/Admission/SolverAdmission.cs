using System.ComponentModel.DataAnnotations;
using System.Security.Claims;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace OptLib.Api.Admission;

/// <summary>How much solver work the service admits at once, in total and per access key.</summary>
public sealed class AdmissionOptions
{
    public const string Section = "Admission";

    /// <summary>Requests that start solver work running at once in this service.</summary>
    [Range(1, 10_000)]
    public int SolverConcurrency { get; set; } = 8;

    /// <summary>Requests that wait for one of those permits; one more is refused with 429.</summary>
    [Range(0, 100_000)]
    public int SolverQueue { get; set; } = 32;

    /// <summary>Requests that start solver work running at once for one access key (or signed-in user); no waiting.</summary>
    [Range(1, 10_000)]
    public int PerKeyConcurrency { get; set; } = 4;

    /// <summary>The Retry-After a refused request gets.</summary>
    [Range(1, 3_600)]
    public int RetryAfterSeconds { get; set; } = 5;
}

/// <summary>A request that would start solver work while the service or its caller already has all it may.</summary>
public sealed class AdmissionRefusedException(string message, int retryAfterSeconds) : Exception(message)
{
    public int RetryAfterSeconds { get; } = retryAfterSeconds;
}

/// <summary>
/// Admission control for routes that start solver work: a per-key concurrency limit (refused at once) chained with
/// one service-wide concurrency limit with a bounded wait queue. Routes opt in with <see cref="RequireSolverAdmission"/>;
/// every other route passes untouched.
/// </summary>
public static class SolverAdmission
{
    public static IHostApplicationBuilder AddSolverAdmission(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<AdmissionOptions>().BindConfiguration(AdmissionOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddRateLimiter(_ => { });
        builder.Services.AddOptions<RateLimiterOptions>().Configure<IOptions<AdmissionOptions>>((limiter, admission) =>
        {
            var limits = admission.Value;
            limiter.GlobalLimiter = PartitionedRateLimiter.CreateChained(PerKey(limits), Service(limits));
            limiter.OnRejected = (context, _) => throw new AdmissionRefusedException(
                $"The service is already running all the solver work it admits (Admission:SolverConcurrency {limits.SolverConcurrency}, "
                + $"Admission:SolverQueue {limits.SolverQueue}) or your key is (Admission:PerKeyConcurrency {limits.PerKeyConcurrency}).",
                limits.RetryAfterSeconds);
        });
        return builder;
    }

    /// <summary>Marks a route as one that starts solver work.</summary>
    public static RouteHandlerBuilder RequireSolverAdmission(this RouteHandlerBuilder route) => route.WithMetadata(SolverWork.Instance);

    private static PartitionedRateLimiter<HttpContext> PerKey(AdmissionOptions limits) => PartitionedRateLimiter.Create<HttpContext, string>(http =>
        StartsSolverWork(http) && http.User.FindFirstValue(ClaimTypes.NameIdentifier) is { } caller
            ? RateLimitPartition.GetConcurrencyLimiter(caller, _ => new ConcurrencyLimiterOptions { PermitLimit = limits.PerKeyConcurrency, QueueLimit = 0 })
            : RateLimitPartition.GetNoLimiter(string.Empty));

    private static PartitionedRateLimiter<HttpContext> Service(AdmissionOptions limits) => PartitionedRateLimiter.Create<HttpContext, string>(http =>
        StartsSolverWork(http)
            ? RateLimitPartition.GetConcurrencyLimiter("service", _ => new ConcurrencyLimiterOptions
            {
                PermitLimit = limits.SolverConcurrency,
                QueueLimit = limits.SolverQueue,
                QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
            })
            : RateLimitPartition.GetNoLimiter(string.Empty));

    private static bool StartsSolverWork(HttpContext http) => http.GetEndpoint()?.Metadata.GetMetadata<SolverWork>() is not null;

    private sealed class SolverWork
    {
        public static readonly SolverWork Instance = new();
    }
}
