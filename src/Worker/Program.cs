using System.CommandLine;
using Mediator;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OptLib.Library.Access;
using OptLib.Platform.Hosting;
using OptLib.Library.Validation;
using OptLib.Worker;
using OptLib.Worker.Datasets;

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
    await host.StartAsync(ct); // the database starts and LibrarySchema applies the migrations, logging each one
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

var libraryFile = new Argument<FileInfo>("library.json") { Description = "AlphaOPT's library.json" };
var taxonomyFile = new Option<FileInfo?>("--taxonomy") { Description = "AlphaOPT's taxonomy JSON (e.g. latest_taxonomy_new.json)" };
var importLibrary = new Command("import-library", "Import AlphaOPT's library and taxonomy (idempotent).") { libraryFile, taxonomyFile };
importLibrary.SetAction((parse, ct) => CommandInputException.HandleAsync(() =>
    Commands.ImportLibraryAsync(args, parse.GetValue(libraryFile)!, parse.GetValue(taxonomyFile), ct)));
root.Subcommands.Add(importLibrary);

var tasksFile = new Argument<FileInfo>("file") { Description = "An AlphaOPT task file: [{task_id, description, ground_truth}, ...]" };
var dataset = new Option<string>("--dataset") { Description = "The dataset's name, e.g. nl4opt", Required = true };
var split = new Option<string>("--split") { Description = "train or test", Required = true };
split.AcceptOnlyFromAmong("train", "test");
var importTasks = new Command("import-tasks", "Import AlphaOPT tasks as problems of a dataset and split (idempotent).") { tasksFile, dataset, split };
importTasks.SetAction((parse, ct) => CommandInputException.HandleAsync(() =>
    Commands.ImportTasksAsync(args, parse.GetValue(tasksFile)!, parse.GetValue(dataset)!, parse.GetValue(split)!, ct)));
root.Subcommands.Add(importTasks);

var datasetName = new Argument<string>("dataset") { Description = "The dataset to download: alphaopt" };
datasetName.AcceptOnlyFromAmong("alphaopt");
var pullTo = new Option<DirectoryInfo?>("--to") { Description = "The folder to write to (default: reference-data/alphaopt)" };
var pull = new Command("pull", "Download a public dataset's files from their source at a pinned version, each checked against its SHA-256.") { datasetName, pullTo };
pull.SetAction((parse, ct) => CommandInputException.HandleAsync(() => DatasetsCommand.PullAlphaOptAsync(args, parse.GetValue(pullTo), ct)));
root.Subcommands.Add(new Command("datasets", "Reference datasets: AlphaOPT's benchmark tasks and learned library.") { pull });

var iterations = new Option<int?>("--iterations") { Description = "Learning iterations (with --dataset, each solves its train split first)" };
var onlyDataset = new Option<string?>("--dataset") { Description = "Only this dataset's train split; default: every failure with a known answer (submissions, feedback, train splits)" };
var learn = new Command("learn", "Run library learning on every failure waiting for it (a job of kind learning), showing its progress.") { onlyDataset, iterations };
learn.SetAction((parse, ct) => Commands.WithHostAsync(args, runJobServer: true, (services, c) => Commands.RunAndReportAsync(services, "learning",
    new { dataset = parse.GetValue(onlyDataset), iterations = parse.GetValue(iterations) ?? 1 }, c), ct));
root.Subcommands.Add(learn);

var evolve = new Command("evolve", "Run library evolution over the problems with known answers that may be learned from (a job of kind evolution), showing its progress.") { onlyDataset };
evolve.SetAction((parse, ct) => Commands.WithHostAsync(args, runJobServer: true,
    (services, c) => Commands.RunAndReportAsync(services, "evolution", new { dataset = parse.GetValue(onlyDataset) }, c), ct));
root.Subcommands.Add(evolve);

var evalSplit = new Option<string>("--split") { Description = "The split to evaluate", DefaultValueFactory = _ => "test" };
var limit = new Option<int?>("--limit") { Description = "Evaluate only the first N problems" };
var output = new Option<DirectoryInfo?>("--out") { Description = "Where to write report.md and the SVG chart (default: evaluation-<job id>)" };
var eval = new Command("eval", "Evaluate the library on a dataset split: accuracy, per-taxonomy breakdown, tokens, cost and time; writes a Markdown report and an SVG chart.")
    { dataset, evalSplit, limit, output };
eval.SetAction((parse, ct) => Commands.WithHostAsync(args, runJobServer: true, (services, c) => Commands.EvaluateAsync(services,
    new { dataset = parse.GetValue(dataset), split = parse.GetValue(evalSplit), limit = parse.GetValue(limit) }, parse.GetValue(output), c), ct));
root.Subcommands.Add(eval);

var reembed = new Command("reembed", "Re-embed every insight embedded by another model than the configured one, showing progress.");
reembed.SetAction((_, ct) => Commands.WithHostAsync(args, runJobServer: true,
    (services, c) => Commands.RunAndReportAsync(services, "reembed", new { }, c), ct));
root.Subcommands.Add(reembed);

var items = new Option<int>("--items") { Description = "How many items", DefaultValueFactory = _ => 10 };
var sleep = new Option<int>("--sleep-ms") { Description = "How long each item sleeps", DefaultValueFactory = _ => 200 };
var selftest = new Command("selftest", "Run the diagnostic selftest job: items sleep and record which worker ran them.") { items, sleep };
selftest.SetAction((parse, ct) => Commands.WithHostAsync(args, runJobServer: true,
    (services, c) => Commands.RunAndReportAsync(services, "selftest", new { items = parse.GetValue(items), sleepMs = parse.GetValue(sleep) }, c), ct));
root.Subcommands.Add(selftest);

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
