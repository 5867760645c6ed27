using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using OptLib.Api.Admission;
using OptLib.Library.Retrieval;
using OptLib.Library.Models;
using OptLib.Library.Validation;

namespace OptLib.Api.Errors;

/// <summary>
/// The one place where exceptions become ProblemDetails (RFC 9457). Anything a client sent wrong is a 4xx that says
/// what; only our own faults are 500s.
/// </summary>
internal sealed class ProblemExceptionHandler(IProblemDetailsService problems, ILogger<ProblemExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext http, Exception exception, CancellationToken cancellationToken)
    {
        var problem = Describe(exception);
        if (problem is null)
        {
            if (http.RequestAborted.IsCancellationRequested)
            {
                http.Response.StatusCode = 499; // the client went away; nobody reads this
                return true;
            }

            return false; // the default handler logs it and answers a plain 500
        }

        logger.LogInformation("Request refused with {Status}: {Reason}", problem.Status, exception.Message);
        http.Response.StatusCode = problem.Status ?? StatusCodes.Status400BadRequest;
        if (problem.Extensions.TryGetValue(RetryAfter, out var seconds))
        {
            http.Response.Headers.RetryAfter = Convert.ToString(seconds, System.Globalization.CultureInfo.InvariantCulture);
        }

        return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = http, ProblemDetails = problem, Exception = exception });
    }

    /// <summary>
    /// What a client did wrong, or null for our own faults. The MCP tools (src/Api/Mcp) tell their callers the same
    /// thing, so every transport maps errors here.
    /// </summary>
    internal static ProblemDetails? Describe(Exception exception) => exception switch
    {
        ValidationFailedException v => new HttpValidationProblemDetails(v.Errors.ToDictionary(e => e.Key, e => e.Value))
        {
            Status = StatusCodes.Status400BadRequest,
            Title = "The request is not valid.",
        },
        ConflictException c => Conflict(c),
        PreconditionRequiredException p => new ProblemDetails
        {
            Status = StatusCodes.Status428PreconditionRequired,
            Title = "The change must name the version it was made against.",
            Detail = p.Message,
        },
        // A unique index is the last guard against a race the handlers did not see coming: the state the request
        // would create was created by another request first. That is a conflict with the current state, not our fault.
        DbUpdateException { InnerException: PostgresException { SqlState: PostgresErrorCodes.UniqueViolation } pg } => Taken(pg),
        PostgresException { SqlState: PostgresErrorCodes.UniqueViolation } pg => Taken(pg),
        EmbeddingUnavailableException e => new ProblemDetails
        {
            Status = StatusCodes.Status503ServiceUnavailable,
            Title = "The embedding model is not available.",
            Detail = e.Message + " Check the Embeddings settings (Embeddings:Provider, Embeddings:BaseUrl, Embeddings:Model, Embeddings:ApiKey).",
        },
        BadHttpRequestException b => new ProblemDetails
        {
            Status = b.StatusCode,
            Title = b.StatusCode == StatusCodes.Status413PayloadTooLarge ? "The request body is too large." : "The request could not be read.",
            Detail = b.Message,
        },
        PayloadTooLargeException t => new ProblemDetails
        {
            Status = StatusCodes.Status413PayloadTooLarge,
            Title = "Source too large",
            Detail = t.Message,
        },
        ModelNotConfiguredException m => new ProblemDetails
        {
            Status = StatusCodes.Status503ServiceUnavailable,
            Title = "No language model is configured.",
            Detail = m.Message,
        },
        ModelCallFailedException m => new ProblemDetails
        {
            Status = StatusCodes.Status502BadGateway,
            Title = "The language model did not answer usefully.",
            Detail = m.Message,
        },
        AdmissionRefusedException a => new ProblemDetails
        {
            Status = StatusCodes.Status429TooManyRequests,
            Title = "Too much solver work is already running.",
            Detail = a.Message + " Try again later.",
            Extensions = { [RetryAfter] = a.RetryAfterSeconds },
        },
        _ when Outage(exception) is { } cause => new ProblemDetails
        {
            Status = StatusCodes.Status503ServiceUnavailable,
            Title = "The database is not available.",
            Detail = $"{cause.Message} Nothing this request would have changed was saved; try again in a few seconds.",
            Extensions = { [RetryAfter] = RetryAfterSeconds },
        },
        _ => null,
    };

    /// <summary>The extension (and header) that tells a client when an outage may be over.</summary>
    internal const string RetryAfter = "retryAfter";

    /// <summary>About what the embedded database's supervisor needs to notice a dead server and start a new one.</summary>
    private const int RetryAfterSeconds = 5;

    /// <summary>
    /// The database cannot be reached or cannot take writes: refused or broken connections and timeouts (every
    /// NpgsqlException that is not the server's answer), the server shutting down or out of connections (57P0x, 53300),
    /// a full disk (53100) or memory (53200), and connection errors (08xxx). EF Core and the execution strategy wrap
    /// them, so the whole chain is searched. A disposed Npgsql data source is the same outage seen a moment later: the
    /// supervisor replaces the data source once the restarted server answers, under requests that still hold the old one.
    /// </summary>
    private static Exception? Outage(Exception exception)
    {
        for (Exception? e = exception; e is not null; e = e.InnerException)
        {
            var outage = e switch
            {
                PostgresException pg => pg.SqlState.StartsWith("08", StringComparison.Ordinal)
                    || pg.SqlState is PostgresErrorCodes.DiskFull or PostgresErrorCodes.OutOfMemory or PostgresErrorCodes.TooManyConnections
                        or PostgresErrorCodes.AdminShutdown or PostgresErrorCodes.CrashShutdown or PostgresErrorCodes.CannotConnectNow,
                NpgsqlException => true,
                ObjectDisposedException d => d.ObjectName?.StartsWith("Npgsql", StringComparison.Ordinal) == true,
                _ => false,
            };
            if (outage)
            {
                return e;
            }
        }

        return null;
    }

    private static ProblemDetails Taken(PostgresException unique) => new()
    {
        Status = StatusCodes.Status409Conflict,
        Title = "Another request made the same change first.",
        Detail = $"What this request would create already exists ({unique.TableName ?? "a table"}, {unique.ConstraintName ?? "a unique key"}). Read the current state and try again if it still applies.",
        Extensions = { ["constraint"] = unique.ConstraintName },
    };

    private static ProblemDetails Conflict(ConflictException conflict)
    {
        var problem = new ProblemDetails { Status = StatusCodes.Status409Conflict, Title = conflict.Title, Detail = conflict.Message };
        foreach (var (key, value) in conflict.Extensions)
        {
            problem.Extensions[key] = value;
        }

        return problem;
    }
}
