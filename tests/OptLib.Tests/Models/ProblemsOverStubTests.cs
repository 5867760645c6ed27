using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using OptLib.Library.Access;
using OptLib.Library.Problems;
using OptLib.Tests.Infrastructure;
using OptLib.Tests.Problems;

namespace OptLib.Tests.Models;

/// <summary>
/// The whole service with the real Semantic Kernel connector pointed at the local OpenAI-compatible stub: problems go
/// in through POST /api/problems, run on the solve queue, and the stub's behaviour is picked per problem by a
/// "stub:..." marker in its text. Two retries, a 2 s timeout per model call.
/// </summary>
public sealed class StubbedModelApp : OptLibApp
{
    public const string ModelId = "stub-model";

    public StubbedModelApp() =>
        Stub = Task.Run(() => OpenAiStub.StartAsync(message => message.StartsWith("Write a C# program", StringComparison.Ordinal)
            ? "```csharp\n" + PipelineApp.Wyndor + "\n```"
            : "Sets: products. Parameters: plant hours. Variables: doors, windows. Objective: max 3d + 5w. Constraints: hours.")).GetAwaiter().GetResult();

    public OpenAiStub Stub { get; }

    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Worker:InProcess"] = "true",
        // These tests count the pipeline's own calls; retrieval's model stage is tested in ModelRetrievalTests.
        ["Retrieval:UseModel"] = "false",
        ["Model:Provider"] = "openai",
        ["Model:BaseUrl"] = Stub.BaseUrl,
        ["Model:ApiKey"] = "sk-test-key",
        ["Model:Base:ModelId"] = ModelId,
        ["Model:MaxRetries"] = "2",
        ["Model:TimeoutSeconds"] = "2",
        [$"Model:Prices:{ModelId}:InputPerMillion"] = "2",
        [$"Model:Prices:{ModelId}:OutputPerMillion"] = "8",
    };

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        await Stub.DisposeAsync();
    }
}

public sealed class ProblemsOverStubTests(StubbedModelApp app) : IClassFixture<StubbedModelApp>
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    [Fact]
    public async Task AProblemSolvedThroughTheConnectorRecordsTheProvidersTokensAndCostOnTheAttempt()
    {
        var problem = await SolveAsync("A glass plant makes doors and windows; maximise profit. stub:ok");

        var attempt = problem.LatestAttempt!;
        Assert.Equal("Correct", attempt.Status);
        // Every request the provider answered for this problem, the model-backed retrieval's included, is on the
        // attempt at the stub's usage of 17 tokens in and 5 out.
        var answered = Requests("stub:ok").Count;
        Assert.Equal((answered * 17, answered * 5), (attempt.PromptTokens, attempt.CompletionTokens));
        Assert.Equal((answered * 17 * 2m + answered * 5 * 8m) / 1_000_000m, attempt.CostEstimate);
        var calls = attempt.ModelUsage!;
        Assert.Equal(answered, calls.Count);
        Assert.Equal(["formulation", "program"], calls.Select(c => c.Purpose).Where(p => p is "formulation" or "program"));
        Assert.All(calls, c => Assert.Equal(StubbedModelApp.ModelId, c.Model));
        var request = Assert.Single(Pipeline("stub:ok"), r => r.Message.StartsWith(ProgramPrompt, StringComparison.Ordinal));
        Assert.Equal(("/v1/chat/completions", "Bearer sk-test-key"), (request.Path, request.Authorization));
    }

    [Fact]
    public async Task A429WithRetryAfterIsWaitedOutAndTheProblemIsSolved()
    {
        var problem = await SolveAsync("The glass plant again. stub:rate-limited");

        Assert.Equal("Correct", problem.LatestAttempt!.Status);
        var formulation = Pipeline("stub:rate-limited").Where(r => r.Message.StartsWith(FormulationPrompt, StringComparison.Ordinal)).ToList();
        Assert.Equal(2, formulation.Count); // refused once, then answered
        Assert.True(formulation[1].At - formulation[0].At >= TimeSpan.FromMilliseconds(900), $"retried after {(formulation[1].At - formulation[0].At).TotalMilliseconds} ms");
        Assert.Equal(4, Pipeline("stub:rate-limited").Count);
    }

    [Fact]
    public async Task AProviderFailingThreeTimesEndsInAClearModelFailedAttemptThatIsNotQueuedForLearning()
    {
        var problem = await SolveAsync("The glass plant, provider down. stub:broken");

        Assert.Equal("failed", problem.Status);
        var attempt = problem.LatestAttempt!;
        Assert.Equal("ModelFailed", attempt.Status);
        Assert.Contains("HTTP 500", attempt.Error, StringComparison.Ordinal);
        Assert.Null(attempt.Formulation);
        Assert.False(attempt.QueuedForLearning);
        Assert.Equal(3, Pipeline("stub:broken").Count); // the formulation call and two retries
    }

    [Fact]
    public async Task AReplyThatIsNotJsonIsAModelFailedAttemptNotACrash()
    {
        var problem = await SolveAsync("The glass plant, garbled reply. stub:invalid-json");

        var attempt = problem.LatestAttempt!;
        Assert.Equal("ModelFailed", attempt.Status);
        Assert.StartsWith("The model call failed after", attempt.Error, StringComparison.Ordinal);
        Assert.Single(Pipeline("stub:invalid-json"));
    }

    [Fact]
    public async Task AModelSlowerThanTheTimeoutFailsTheAttemptAfterTheRetriesInsteadOfHanging()
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var problem = await SolveAsync("The glass plant, slow provider. stub:slow");

        Assert.Equal("ModelFailed", problem.LatestAttempt!.Status);
        Assert.Equal(3, Pipeline("stub:slow").Count);
        // Retrieval's own model calls time out too before it falls back to the lexical ranking; each call gives up
        // after three 2 s attempts instead of waiting out the 60 s answers.
        var waited = Requests("stub:slow").Count;
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(waited * 2 + 20), $"took {clock.Elapsed} for {waited} requests");
    }

    private const string FormulationPrompt = "You are an operations-research modeller.";
    private const string ProgramPrompt = "Write a C# program";

    /// <summary>The pipeline's own requests (formulation and program prompts), without the model-backed retrieval's.</summary>
    private List<(string Path, string? Authorization, string Model, string Message, DateTimeOffset At)> Pipeline(string marker) =>
        Requests(marker).Where(r => r.Message.StartsWith(FormulationPrompt, StringComparison.Ordinal) || r.Message.StartsWith(ProgramPrompt, StringComparison.Ordinal)).ToList();

    private List<(string Path, string? Authorization, string Model, string Message, DateTimeOffset At)> Requests(string marker) =>
        app.Stub.Received.Where(r => r.Message.Contains(marker, StringComparison.Ordinal)).ToList();

    private async Task<ProblemDto> SolveAsync(string text)
    {
        using var analyst = app.ClientWithKey(await app.CreateKeyAsync(Role.Analyst));
        analyst.Timeout = TimeSpan.FromMinutes(4);
        var response = await analyst.PostAsJsonAsync("/api/problems?wait=180", new { text, expectedObjective = 36 });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var problem = (await response.Content.ReadFromJsonAsync<ProblemDto>(Json))!;
        Assert.Equal(text, problem.Text);
        return problem;
    }
}
