using System.Globalization;
using System.Numerics;

namespace OptLib.Api.Routing;

/// <summary>
/// <c>{id:long}</c> and <c>{version:int}</c> as a client means them: digits, at most a leading minus (no plus). The framework's
/// constraints parse with <see cref="NumberStyles.Integer"/>, which allows surrounding spaces, so
/// <c>DELETE /api/keys/%201</c> revoked key 1.
/// </summary>
public sealed class DigitsOnlyConstraint<T> : IRouteConstraint
    where T : IBinaryInteger<T>
{
    public bool Match(HttpContext? httpContext, IRouter? route, string routeKey, RouteValueDictionary values, RouteDirection routeDirection) =>
        values.TryGetValue(routeKey, out var value) && value switch
        {
            T => true,
            null => false,
            _ => Convert.ToString(value, CultureInfo.InvariantCulture) is { } text && !text.StartsWith('+')
                && T.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _),
        };
}

public static class DigitsOnlyConstraints
{
    /// <summary>Replaces the framework's <c>long</c> and <c>int</c> constraints on every route, the admin pages' included.</summary>
    public static IHostApplicationBuilder AddDigitsOnlyRouteConstraints(this IHostApplicationBuilder builder)
    {
        builder.Services.Configure<RouteOptions>(options =>
        {
            options.SetParameterPolicy<DigitsOnlyConstraint<long>>("long");
            options.SetParameterPolicy<DigitsOnlyConstraint<int>>("int");
        });
        return builder;
    }
}
