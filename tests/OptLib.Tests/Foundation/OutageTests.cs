using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using OptLib.Tests.Infrastructure;

namespace OptLib.Tests.Foundation;

public sealed class OutageApp : OptLibApp
{
    // On disk, so that the restarted server still has the keys; checked often, so the restart is seen within the test.
    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["OptLib:Embedded:InMemory"] = "false",
        ["OptLib:Embedded:HealthCheckSeconds"] = "1",
    };
}

/// <summary>While the database is down, a request is the server's fault but not a bug: 503 with Retry-After, not 500.</summary>
public sealed class OutageTests(OutageApp app) : IClassFixture<OutageApp>
{
    [Fact]
    public async Task ARequestWhileTheDatabaseIsDownIsA503WithRetryAfterAndWorksOnceItIsBack()
    {
        using var api = app.Admin();
        using var probe = app.ClientWithKey(null);
        Assert.Equal(HttpStatusCode.OK, (await api.GetAsync("/api/insights")).StatusCode);

        var server = app.Database.Embedded!;
        var dataSource = app.Database.DataSource;
        server.Kill();
        foreach (var send in new Func<Task<HttpResponseMessage>>[]
        {
            () => api.GetAsync("/api/insights?q=budget"),
            () => api.PostAsJsonAsync("/api/keys", new { name = "during the outage", role = "viewer" }),
        })
        {
            var response = await send();
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.ServiceUnavailable, $"answered {(int)response.StatusCode}: {text}");
            Assert.Equal(TimeSpan.FromSeconds(5), response.Headers.RetryAfter?.Delta);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.Equal("The database is not available.", JsonDocument.Parse(text).RootElement.GetProperty("title").GetString());
        }

        // Until the restarted server is back and the service uses it (a new data source), every answer is a 503 that
        // says when to try again, or already a 200; never a 500.
        var answers = new List<HttpStatusCode>();
        await Eventually.ValueAsync(async () =>
        {
            var answer = await api.GetAsync("/api/insights?q=budget");
            answers.Add(answer.StatusCode);
            Assert.True(answer.StatusCode == HttpStatusCode.OK || (answer.StatusCode == HttpStatusCode.ServiceUnavailable && answer.Headers.RetryAfter is not null),
                $"answered {(int)answer.StatusCode} while the database came back: {await answer.Content.ReadAsStringAsync()}");
            return answer.StatusCode == HttpStatusCode.OK && !ReferenceEquals(app.Database.DataSource, dataSource);
        }, back => back, TimeSpan.FromSeconds(60), "the service to answer 200 on the restarted database", _ => $"answers {string.Join(", ", answers)}");

        Assert.Equal(HttpStatusCode.OK, (await probe.GetAsync("/health/ready")).StatusCode);
        Assert.Equal(1, server.Restarts);
        Assert.DoesNotContain("during the outage", await api.GetStringAsync("/api/keys"), StringComparison.Ordinal);
    }
}
