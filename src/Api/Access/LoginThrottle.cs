using System.Threading.RateLimiting;
using OptLib.Library.Access;

namespace OptLib.Api.Access;

/// <summary>
/// Counts failed sign-ins per user name and client address in a fixed window, on the same rate limiters ASP.NET
/// Core's middleware uses. Only failures take a permit (the middleware would count every sign-in); once a window's
/// permits are gone, every attempt for that name from that address waits, even with the right password.
/// </summary>
public sealed class LoginThrottle : IDisposable
{
    private readonly PartitionedRateLimiter<string> _failures = PartitionedRateLimiter.Create<string, string>(key =>
        RateLimitPartition.GetFixedWindowLimiter(key, _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = LoginApi.AttemptsPerWindow,
            Window = LoginApi.Window,
            QueueLimit = 0,
        }));

    public static string Key(HttpContext http, string? userName) =>
        $"{http.Connection.RemoteIpAddress}|{Users.Normalize(userName ?? string.Empty)}";

    /// <summary>Asking for no permit only tells whether any is left.</summary>
    public bool IsBlocked(string key)
    {
        using var lease = _failures.AttemptAcquire(key, 0);
        return !lease.IsAcquired;
    }

    public void RecordFailure(string key) => _failures.AttemptAcquire(key).Dispose();

    public void Dispose() => _failures.Dispose();
}
