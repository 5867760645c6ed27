using OptLib.Library.Validation;

namespace OptLib.Api.Errors;

/// <summary>
/// The part of <see cref="StorableText"/> that request messages do not see: query strings and form fields of the REST
/// API and the admin UI, refused with the same 400 through the one exception handler. A form body that cannot be read
/// (a multipart body cut short) is the client's fault too, so it is a 400 here rather than an IOException later.
/// </summary>
public static class StorableRequestText
{
    public static WebApplication UseStorableRequestText(this WebApplication app)
    {
        app.Use(async (http, next) =>
        {
            var request = http.Request;
            if (request.Path.StartsWithSegments("/api") || request.Path.StartsWithSegments("/admin"))
            {
                Refuse(request.Query.SelectMany(q => q.Value.Select(v => (q.Key, Value: v))));
                if (request.HasFormContentType)
                {
                    Refuse((await ReadFormAsync(request)).SelectMany(f => f.Value.Select(v => (f.Key, Value: v))));
                }
            }

            await next(http);
        });
        return app;
    }

    private static void Refuse(IEnumerable<(string Key, string? Value)> fields)
    {
        var errors = fields
            .Where(f => StorableText.Holds(f.Key) || StorableText.Holds(f.Value))
            .Select(f => f.Key.Replace("\0", "\\u0000", StringComparison.Ordinal))
            .Distinct(StringComparer.Ordinal)
            .ToDictionary(k => k, _ => new[] { StorableText.Error }, StringComparer.Ordinal);
        if (errors.Count > 0)
        {
            throw new ValidationFailedException(errors);
        }
    }

    private static async Task<IFormCollection> ReadFormAsync(HttpRequest request)
    {
        try
        {
            return await request.ReadFormAsync(request.HttpContext.RequestAborted);
        }
        catch (Exception e) when (e is IOException or InvalidDataException && !request.HttpContext.RequestAborted.IsCancellationRequested)
        {
            throw new BadHttpRequestException($"The form could not be read: {e.Message}", StatusCodes.Status400BadRequest, e);
        }
    }
}
