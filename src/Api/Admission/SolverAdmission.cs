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
/// Admission control for requests that hold solver work while they are open: a per-key concurrency limit (refused
/// at once) chained with one service-wide concurrency limit with a bounded wait queue. Routes opt in with <see cref="RequireSolverAdmission"/> and the
/// rate-limiting middleware applies it; work that starts inside a request of another kind (an MCP tool call) asks
/// with <see cref="AdmitAsync"/>, from the same limiter. Every other request passes untouched.
/// </summary>
public sealed class SolverAdmission : IDisposable
{
    private readonly AdmissionOptions _limits;

    public SolverAdmission(IOptions<AdmissionOptions> options)
    {
        _limits = options.Value;
        Limiter = PartitionedRateLimiter.CreateChained(PerKey(_limits), Service(_limits));
    }

    public PartitionedRateLimiter<HttpContext> Limiter { get; }

    public AdmissionRefusedException Refusal() => new(
        $"The service is already running all the solver work it admits (Admission:SolverConcurrency {_limits.SolverConcurrency}, "
        + $"Admission:SolverQueue {_limits.SolverQueue}) or your key is (Admission:PerKeyConcurrency {_limits.PerKeyConcurrency}).",
        _limits.RetryAfterSeconds);

    /// <summary>A permit for solver work that starts inside this request; dispose it when the work ends.</summary>
    public async Task<RateLimitLease> AdmitAsync(HttpContext http, CancellationToken cancellationToken)
    {
        http.Items[SolverWork.Instance] = SolverWork.Instance;
        var lease = await Limiter.AcquireAsync(http, 1, cancellationToken);
        if (lease.IsAcquired)
        {
            return lease;
        }

        lease.Dispose();
        throw Refusal();
    }

    public void Dispose() => Limiter.Dispose();

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

    private static bool StartsSolverWork(HttpContext http) =>
        http.GetEndpoint()?.Metadata.GetMetadata<SolverWork>() is { } work && work.Holds(http) || http.Items.ContainsKey(SolverWork.Instance);

    /// <summary>Marks a route whose requests (those <see cref="Holds"/> says) keep solver work running while they are open.</summary>
    internal sealed class SolverWork(Func<HttpContext, bool> holds)
    {
        public static readonly SolverWork Instance = new(_ => true);

        public Func<HttpContext, bool> Holds { get; } = holds;
    }
}

/// <summary>How hosts and routes take part in admission control.</summary>
public static class SolverAdmissionRegistration
{
    public static IHostApplicationBuilder AddSolverAdmission(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<AdmissionOptions>().BindConfiguration(AdmissionOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<SolverAdmission>();
        builder.Services.AddRateLimiter(_ => { });
        builder.Services.AddOptions<RateLimiterOptions>().Configure<SolverAdmission>((limiter, admission) =>
        {
            limiter.GlobalLimiter = admission.Limiter;
            limiter.OnRejected = (_, _) => throw admission.Refusal();
        });
        return builder;
    }

    /// <summary>
    /// Marks a route whose requests hold solver work while they are open: all of them, or those
    /// <paramref name="holdsWork"/> picks. Work that is only queued is bounded by the job servers, not here, so that
    /// a client may submit a batch at once.
    /// </summary>
    public static RouteHandlerBuilder RequireSolverAdmission(this RouteHandlerBuilder route, Func<HttpContext, bool>? holdsWork = null) =>
        route.WithMetadata(holdsWork is null ? SolverAdmission.SolverWork.Instance : new SolverAdmission.SolverWork(holdsWork));
}
