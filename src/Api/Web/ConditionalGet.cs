using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Net.Http.Headers;

namespace OptLib.Api.Web;

/// <summary>
/// The library's reads carry an entity tag (OptLib.Library.Reads.Tagged, a digest of what was read): a client that sends
/// it back in If-None-Match gets 304 Not Modified, with no body, while the content is unchanged. A client may keep the
/// answer for itself only (private: it answers to an API key) and must ask again before reusing it (no-cache).
/// </summary>
public static class ConditionalGet
{
    /// <summary>Sets the tag and the caching rule on the answer; true when the client's copy is current, so the answer is 304.</summary>
    public static bool ClientHasCurrent(HttpContext http, string etag)
    {
        var headers = http.Response.Headers;
        headers.ETag = etag;
        headers.CacheControl = "private, no-cache";
        var ifNoneMatch = http.Request.Headers.IfNoneMatch;
        if (ifNoneMatch.Count == 0 || !EntityTagHeaderValue.TryParseList(ifNoneMatch, out var tags))
        {
            return false;
        }

        var current = new EntityTagHeaderValue(etag);
        return tags.Any(t => t.Equals(EntityTagHeaderValue.Any) || t.Compare(current, useStrongComparison: false));
    }

    public static StatusCodeHttpResult NotModified() => TypedResults.StatusCode(StatusCodes.Status304NotModified);
}
