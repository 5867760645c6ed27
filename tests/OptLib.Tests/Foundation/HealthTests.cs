using System.Net;
using System.Text.Json;
using OptLib.Tests.Infrastructure;

namespace OptLib.Tests.Foundation;

public sealed class HealthApp : OptLibApp
{
    // Check often, so the supervisor's restart is seen within the test.
    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["OptLib:Embedded:HealthCheckSeconds"] = "1",
    };
}

public sealed class HealthTests(HealthApp app) : IClassFixture<HealthApp>
{
    [Fact]
    public async Task LiveAnswersWithoutAKey()
    {
        using var client = app.ClientWithKey(null);
        var response = await client.GetAsync("/health/live");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task ReadyIs503WhileTheDatabaseIsDownAndRecoversAfterTheSupervisorRestartsIt()
    {
        using var client = app.ClientWithKey(null);
        var before = await client.GetAsync("/health/ready");
        Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        var body = JsonDocument.Parse(await before.Content.ReadAsStringAsync()).RootElement;
        var data = body.GetProperty("checks").GetProperty("database").GetProperty("data");
        Assert.Matches(@"^\d+\.\d+\.\d+$", data.GetProperty("pgvector").GetString());
        Assert.Equal("embedded", data.GetProperty("server").GetString());
        var sandbox = body.GetProperty("checks").GetProperty("sandbox");
        Assert.Equal("bwrap", sandbox.GetProperty("data").GetProperty("isolation").GetString()); // CI installs bubblewrap
        Assert.Equal("Healthy", sandbox.GetProperty("status").GetString());

        var server = app.Database.Embedded!;
        server.Kill();
        var down = await client.GetAsync("/health/ready");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, down.StatusCode);

        var deadline = DateTime.UtcNow.AddSeconds(60);
        HttpStatusCode status;
        do
        {
            await Task.Delay(500);
            status = (await client.GetAsync("/health/ready")).StatusCode;
        }
        while (status != HttpStatusCode.OK && DateTime.UtcNow < deadline);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(1, server.Restarts);
    }
}
