using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Mediator;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using OptLib.Library.Access;
using OptLib.Library.Models;
using OptLib.Tests.Infrastructure;
using OptLib.Tests.Library;
using OptLib.Tests.Models;
using OptLib.Tests.Problems;

namespace OptLib.Tests.Browser;

/// <summary>
/// The service on Kestrel at 127.0.0.1 (a browser needs a real socket), with its job server and a scripted model,
/// the fixture library imported, and one user per role.
/// </summary>
public sealed class BrowserApp : OptLibApp
{
    public const string AnalystName = "ana";
    public const string ViewerName = "vic";
    public const string AnalystPassword = "analyst-password-1";
    public const string ViewerPassword = "viewer-password-1";

    private readonly SemaphoreSlim _seed = new(1, 1);
    private bool _seeded;

    public BrowserApp() => UseKestrel(options => options.Listen(IPAddress.Loopback, 0));

    public ScriptedChatModel Model { get; } = new((call, _) => call.Purpose switch
    {
        "formulation" => "Variables: doors, windows >= 0. Objective: max 3 doors + 5 windows. Constraints: plant hours.",
        _ => "```csharp\n" + PipelineApp.Wyndor + "\n```",
    });

    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?> { ["Worker:InProcess"] = "true" };

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureTestServices(services => services.AddSingleton<IChatModel>(Model));
    }

    public string BaseUrl => Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();

    public HttpClient Api(string? key = null) => new() { BaseAddress = new Uri(BaseUrl), DefaultRequestHeaders = { { "X-Api-Key", key ?? AdminKey } } };

    public Task<string> AdminPasswordAsync() => ReadCredentialAsync("admin_password");

    /// <summary>Imports the library and adds the users once for the whole class.</summary>
    public async Task SeedAsync()
    {
        await _seed.WaitAsync();
        try
        {
            if (_seeded)
            {
                return;
            }

            using var api = Api();
            using var body = new StringContent(LibraryFiles.Fixture.ImportBody(), System.Text.Encoding.UTF8, "application/json");
            (await api.PostAsync("/api/library/import", body)).EnsureSuccessStatusCode();
            await using var scope = Services.CreateAsyncScope();
            var sender = scope.ServiceProvider.GetRequiredService<ISender>();
            await sender.Send(new CreateUser(AnalystName, AnalystPassword, Roles.Analyst, "test"));
            await sender.Send(new CreateUser(ViewerName, ViewerPassword, Roles.Viewer, "test"));
            _seeded = true;
        }
        finally
        {
            _seed.Release();
        }
    }

    /// <summary>An insight of the fixture library as imported here: its id and condition.</summary>
    public async Task<(long Id, string Condition)> ImportedInsightAsync(int index)
    {
        var source = LibraryFiles.Fixture.Library()[index]!;
        var condition = source["condition"]!.GetValue<string>();
        using var api = Api();
        var page = await api.GetFromJsonAsync<JsonObject>($"/api/insights?q={Uri.EscapeDataString(string.Join(' ', condition.Split(' ').Take(12)))}&pageSize=200");
        var match = page!["items"]!.AsArray().First(i => i!["condition"]!.GetValue<string>() == condition)!;
        return (match["id"]!.GetValue<long>(), condition);
    }

    /// <summary>Adds an insight through the REST API, proposed unless said otherwise.</summary>
    public async Task<long> AddInsightAsync(string condition, string explanation, string status = "proposed")
    {
        using var api = Api();
        var taxonomy = await api.GetFromJsonAsync<JsonArray>("/api/taxonomy");
        var leaf = taxonomy![0]!["children"]![0]!["children"]![0]!["id"]!.GetValue<long>();
        var response = await api.PostAsJsonAsync("/api/insights", new { condition, explanation, example = "", taxonomyNodeIds = new[] { leaf }, status, reason = "test" });
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<long>();
    }
}
