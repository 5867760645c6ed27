using System.CommandLine;
using Mediator;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OptLib.Library.Access;
using OptLib.Library.Hosting;
using OptLib.Library.Validation;
using OptLib.Worker;

// optlib-worker: the scale-out job host and the operator's command line. Configuration comes from appsettings.json,
// OPTLIB-style environment variables (ConnectionStrings__OptLib, OptLib__DataDirectory, ...) and --Key=Value pairs.
var root = new RootCommand("OptLib worker: runs background jobs, and operator commands.");

var run = new Command("run", "Run a Hangfire server that takes solve, learning and evolution jobs (the daemon).");
run.SetAction(async (_, ct) =>
{
    using var host = WorkerHost.Build(args, runJobServer: true);
    await host.RunAsync(ct);
    return 0;
});
root.Subcommands.Add(run);

var migrate = new Command("migrate", "Apply pending database migrations, then exit.");
migrate.SetAction(async (_, ct) =>
{
    using var host = WorkerHost.Build(args, runJobServer: false, migrate: true);
    await host.StartAsync(ct); // DatabaseStartup applies the migrations and logs each one
    await host.StopAsync(ct);
    return 0;
});
root.Subcommands.Add(migrate);

var role = new Option<string>("--role") { Description = "viewer, analyst or admin", Required = true };
var name = new Option<string>("--name") { Description = "Who or what uses the key", DefaultValueFactory = _ => "command-line key" };
var createKey = new Command("create-api-key", "Create an API key and print its secret once.") { role, name };
createKey.SetAction(async (parse, ct) =>
{
    using var host = WorkerHost.Build(args, runJobServer: false);
    await host.StartAsync(ct);
    try
    {
        await using var scope = host.Services.CreateAsyncScope();
        var created = await scope.ServiceProvider.GetRequiredService<ISender>()
            .Send(new CreateApiKey(parse.GetValue(name)!, parse.GetValue(role)!, $"cli:{Environment.UserName}"), ct);
        Console.WriteLine($"Created {created.Key.Role} key #{created.Key.Id} '{created.Key.Name}'. Its secret, shown only now:");
        Console.WriteLine(created.Secret);
        return 0;
    }
    catch (ValidationFailedException ex)
    {
        await Console.Error.WriteLineAsync(ex.Message);
        return 2;
    }
    finally
    {
        await host.StopAsync(CancellationToken.None);
    }
});
root.Subcommands.Add(createKey);

try
{
    // Unknown --Key=Value pairs are configuration for the host, not command-line errors.
    var parsed = root.Parse(args.Where(a => !a.Contains('=', StringComparison.Ordinal)).ToArray());
    return await parsed.InvokeAsync();
}
catch (Exception ex) when (StartupFailure.Explain(ex) is { } reason)
{
    await Console.Error.WriteLineAsync($"OptLib cannot start: {reason}");
    return 1;
}
