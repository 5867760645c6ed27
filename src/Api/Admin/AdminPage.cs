using System.Globalization;
using System.Security.Claims;
using Mediator;
using Microsoft.AspNetCore.Components;
using OptLib.Api.Access;
using OptLib.Api.Errors;
using OptLib.Library.Access;

namespace OptLib.Api.Admin;

/// <summary>
/// What every admin page shares: the request (static SSR renders inside it), the caller's role, the Mediator, and
/// turning a handler's refusal into messages beside the form instead of an error page.
/// </summary>
public abstract class AdminPage : ComponentBase
{
    [CascadingParameter]
    public HttpContext Http { get; set; } = default!;

    [Inject]
    public ISender Sender { get; set; } = default!;

    [Inject]
    public NavigationManager Navigation { get; set; } = default!;

    protected ClaimsPrincipal User => Http.User;

    protected string Actor => User.Actor();

    protected bool CanEdit => User.Can(Role.Analyst);

    protected bool IsAdmin => User.Can(Role.Admin);

    protected CancellationToken Aborted => Http.RequestAborted;

    /// <summary>Field errors of the last form post, by field name.</summary>
    protected IReadOnlyDictionary<string, string[]> Errors { get; private set; } = new Dictionary<string, string[]>();

    /// <summary>A refusal that is not about one field (a conflict, a missing model), shown above the form.</summary>
    protected string? Failure { get; private set; }

    protected string? Done { get; set; }

    protected bool NotFound { get; private set; }

    protected void MarkNotFound()
    {
        NotFound = true;
        Http.Response.StatusCode = StatusCodes.Status404NotFound;
    }

    /// <summary>
    /// Runs a form's action. A refusal is mapped by the same code as the REST API's errors
    /// (<see cref="ProblemExceptionHandler.Describe"/>), so a page answers the status and the reason a client of the
    /// API would get, beside the form; our own faults still reach the error page.
    /// </summary>
    protected async Task<bool> TryAsync(Func<Task> action)
    {
        try
        {
            await action();
            return true;
        }
        catch (Exception e) when (ProblemExceptionHandler.Describe(e) is { } problem)
        {
            var status = problem.Status ?? StatusCodes.Status400BadRequest;
            if (problem is HttpValidationProblemDetails validation)
            {
                Refuse(status, "Please correct the fields marked below.", validation.Errors.ToDictionary(f => f.Key, f => f.Value));
            }
            else
            {
                Refuse(status, string.Join(' ', new[] { problem.Title, problem.Detail }.Where(t => !string.IsNullOrWhiteSpace(t))));
            }
        }

        return false;
    }

    /// <summary>Shows why a form was refused, with the status a script or test would expect from the REST API.</summary>
    protected void Refuse(int status, string failure, IReadOnlyDictionary<string, string[]>? errors = null)
    {
        Failure = failure;
        Errors = errors ?? new Dictionary<string, string[]>();
        Http.Response.StatusCode = status;
    }

    protected string[] ErrorsFor(string field) => Errors.TryGetValue(field, out var e) ? e : [];

    /// <summary>
    /// A number from the query string, or null when it is not one. Pages take their numbers as text: a typed query
    /// parameter that does not parse (<c>?page=abc</c>) fails the whole render, and a link someone mangled should
    /// show the page as if the number were absent, not an error.
    /// </summary>
    protected static long? Number(string? query) =>
        long.TryParse(query, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : null;

    /// <summary>The page a list shows: the query's page when it is a positive number, else the first.</summary>
    protected static int PageNumber(string? query) => Number(query) is >= 1 and <= int.MaxValue and var n ? (int)n : 1;
}
