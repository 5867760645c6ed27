using System.Globalization;
using System.Text.Json;
using Mediator;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OptLib.Library.Interchange;
using OptLib.Library.Jobs;
using OptLib.Library.Problems;
using OptLib.Library.Validation;

namespace OptLib.Worker;

/// <summary>The operator's commands: each starts a host on the configured database, calls the same handlers as the API, and stops.</summary>
internal static class Commands
{
    public const int Succeeded = 0;
    public const int Failed = 1;
    public const int InvalidInput = 2;
    public const int Interrupted = 130;

    public static string Actor => $"cli:{Environment.UserName}";

    /// <summary>Starts a host, runs <paramref name="work"/> in a scope, stops; bad input is one line on stderr and exit code 2.</summary>
    public static async Task<int> WithHostAsync(string[] args, bool runJobServer, Func<IServiceProvider, CancellationToken, Task<int>> work, CancellationToken ct)
    {
        using var host = WorkerHost.Build(args, runJobServer, quiet: true);
        await host.StartAsync(ct);
        try
        {
            await using var scope = host.Services.CreateAsyncScope();
            return await work(scope.ServiceProvider, ct);
        }
        catch (ValidationFailedException ex)
        {
            await Console.Error.WriteLineAsync(ex.Message);
            return InvalidInput;
        }
        finally
        {
            await host.StopAsync(CancellationToken.None);
        }
    }

    /// <summary>Reads the files first, so that a wrong path is reported before any database starts.</summary>
    public static async Task<int> ImportLibraryAsync(string[] args, FileInfo library, FileInfo? taxonomy, CancellationToken ct)
    {
        var document = new AlphaOptDocument
        {
            Library = await ReadJsonAsync<List<AlphaOptInsight>>(library, ct),
            Taxonomy = taxonomy is null ? null : await ReadJsonAsync<Dictionary<string, Dictionary<string, Dictionary<string, AlphaOptLabel>>>>(taxonomy, ct),
        };
        return document.Library is null
            ? await FailAsync($"{library.FullName} holds no library array.")
            : await WithHostAsync(args, runJobServer: false, (services, c) => ImportLibraryAsync(services, library.Name, document, c), ct);
    }

    private static async Task<int> ImportLibraryAsync(IServiceProvider services, string name, AlphaOptDocument document, CancellationToken ct)
    {
        var report = await services.GetRequiredService<ISender>().Send(new ImportLibrary(document, Actor), ct);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Imported {name}: {report.Created} created, {report.Updated} updated, {report.Skipped} skipped; labels {report.LabelsCreated} created, {report.LabelsUpdated} updated."));
        foreach (var skipped in report.Items.Where(i => i.Outcome == "skipped"))
        {
            Console.WriteLine($"  skipped {skipped.Source ?? skipped.Id?.ToString(CultureInfo.InvariantCulture)}: {skipped.Reason}");
        }

        foreach (var note in report.Notes)
        {
            Console.WriteLine($"  note: {note}");
        }

        return Succeeded;
    }

    /// <summary>Reads the file first, so that a wrong path is reported before any database starts.</summary>
    public static async Task<int> ImportTasksAsync(string[] args, FileInfo file, string dataset, string split, CancellationToken ct)
    {
        using var tasks = await ReadJsonAsync<JsonDocument>(file, ct);
        return tasks is null
            ? await FailAsync($"{file.FullName} holds JSON null.")
            : await WithHostAsync(args, runJobServer: false, (services, c) => ImportTasksAsync(services, file, dataset, split, tasks.RootElement, c), ct);
    }

    private static async Task<int> ImportTasksAsync(IServiceProvider services, FileInfo file, string dataset, string split, JsonElement tasks, CancellationToken ct)
    {
        var report = await services.GetRequiredService<ISender>().Send(new ImportTasks(dataset, split, tasks, Actor), ct);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Imported {file.Name} as {report.Dataset}/{report.Split}: {report.Created} created, {report.Updated} updated, {report.Unchanged} unchanged, {report.Flagged.Count} flagged, {report.Skipped.Count} skipped."));
        foreach (var note in report.Flagged.Concat(report.Skipped))
        {
            Console.WriteLine($"  item {note.Index} ({note.TaskId}): {note.Reason}");
        }

        return Succeeded;
    }

    /// <summary>
    /// Creates a job and follows it to the end, running its items in this process (and in any other worker on the
    /// same database). Ctrl+C cancels the job. Returns the finished job, or null when it did not succeed.
    /// </summary>
    public static async Task<JobDto?> RunJobAsync(IServiceProvider services, string kind, object parameters, CancellationToken ct)
    {
        var kinds = services.GetServices<IJobKind>().ToList();
        if (kinds.Find(kind) is null)
        {
            throw ValidationFailedException.For("kind", $"This build has no '{kind}' job kind, so the command cannot run. Available kinds: "
                + string.Join(", ", kinds.Select(k => k.Name).Order(StringComparer.Ordinal)) + ".");
        }

        var sender = services.GetRequiredService<ISender>();
        var job = await sender.Send(new CreateJob(kind, JsonSerializer.SerializeToElement(parameters, JobContext.Json), Actor), ct);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Job {job.Id} ({job.Kind}) created; Ctrl+C cancels it."));
        var view = ProgressView.ForConsole();
        try
        {
            while (!job.IsFinished)
            {
                view.Show(job);
                await Task.Delay(500, ct);
                job = (await sender.Send(new GetJob(job.Id), ct))!;
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            job = await sender.Send(new CancelJob(job.Id, Actor), CancellationToken.None) ?? job;
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (!job.IsFinished && DateTime.UtcNow < deadline)
            {
                await Task.Delay(500, CancellationToken.None);
                job = (await sender.Send(new GetJob(job.Id), CancellationToken.None))!;
            }
        }

        view.Done(job);
        return job.State == JobStates.Name(JobState.Succeeded) ? job : null;
    }

    /// <summary>Runs a job and prints its report.</summary>
    public static async Task<int> RunAndReportAsync(IServiceProvider services, string kind, object parameters, CancellationToken ct)
    {
        var job = await RunJobAsync(services, kind, parameters, ct);
        if (job?.Report is { } report)
        {
            Console.WriteLine();
            Console.WriteLine(report);
        }

        return job is null ? (ct.IsCancellationRequested ? Interrupted : Failed) : Succeeded;
    }

    /// <summary>Runs an evaluation and writes its Markdown report and every file it produced (the SVG chart) to <paramref name="output"/>.</summary>
    public static async Task<int> EvaluateAsync(IServiceProvider services, object parameters, DirectoryInfo? output, CancellationToken ct)
    {
        var job = await RunJobAsync(services, Library.Evaluation.EvaluationKind.KindName, parameters, ct);
        if (job is null)
        {
            return ct.IsCancellationRequested ? Interrupted : Failed;
        }

        var folder = output ?? new DirectoryInfo(string.Create(CultureInfo.InvariantCulture, $"evaluation-{job.Id}"));
        folder.Create();
        var sender = services.GetRequiredService<ISender>();
        var written = new List<string> { Path.Combine(folder.FullName, "report.md") };
        await File.WriteAllTextAsync(written[0], job.Report, CancellationToken.None);
        foreach (var name in job.Artifacts)
        {
            var artifact = (await sender.Send(new GetJobArtifact(job.Id, name), CancellationToken.None))!;
            var path = Path.Combine(folder.FullName, Path.GetFileName(name));
            await File.WriteAllTextAsync(path, artifact.Content, CancellationToken.None);
            written.Add(path);
        }

        if (job.Metrics is { } metrics)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"Accuracy {metrics.GetProperty("accuracy").GetDouble():0.0%} ({metrics.GetProperty("correct").GetInt32()} of {metrics.GetProperty("withExpected").GetInt32()})."));
        }

        Console.WriteLine("Wrote " + string.Join(", ", written));
        return Succeeded;
    }

    /// <summary>A file's JSON; a missing or malformed file is a <see cref="CommandInputException"/> naming it.</summary>
    private static async Task<T?> ReadJsonAsync<T>(FileInfo file, CancellationToken ct)
    {
        if (!file.Exists)
        {
            throw new CommandInputException($"{file.FullName} does not exist.");
        }

        await using var stream = file.OpenRead();
        try
        {
            return await JsonSerializer.DeserializeAsync<T>(stream, cancellationToken: ct);
        }
        catch (JsonException ex)
        {
            throw new CommandInputException($"{file.FullName} is not the expected JSON: {ex.Message}");
        }
    }

    private static async Task<int> FailAsync(string message)
    {
        await Console.Error.WriteLineAsync(message);
        return InvalidInput;
    }
}

/// <summary>Input on the command line that is wrong before anything runs: printed as one line, exit code 2.</summary>
internal sealed class CommandInputException(string message) : Exception(message)
{
    public static async Task<int> HandleAsync(Func<Task<int>> command)
    {
        try
        {
            return await command();
        }
        catch (CommandInputException ex)
        {
            await Console.Error.WriteLineAsync(ex.Message);
            return Commands.InvalidInput;
        }
    }
}
