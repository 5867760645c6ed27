using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using OptLib.Library.Jobs;
using Mediator;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OptLib.Library.Access;
using OptLib.Library.Attempts;
using OptLib.Library.Insights;
using OptLib.Library.Models;
using OptLib.Library.Problems;
using OptLib.Library.Solving;
using OptLib.Library.Retrieval;
using OptLib.Solver;
using OptLib.Solver.Runs;
using OptLib.Solver.Sandbox;
using OptLib.Tests.Infrastructure;
using OptLib.Tests.Jobs;
using OptLib.Tests.Models;

namespace OptLib.Tests.Problems;

/// <summary>
/// The service with its job server on and a scripted model at our seam. The problem text picks the script: a good
/// program, one that does not compile until the self-debug round, an infeasible one.
/// </summary>
public sealed class PipelineApp : OptLibApp
{
    /// <summary>The solver corpus's Wyndor program (optimum 36), copied beside the tests by the build.</summary>
    public static readonly string Wyndor = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Programs", "lp_wyndor.cs"));

    public const string Infeasible = """
        using Google.OrTools.LinearSolver;
        public sealed class Impossible : IOptModel
        {
            public void Build(IModelContext ctx)
            {
                var solver = Solver.CreateSolver("GLOP");
                var x = solver.MakeNumVar(0, 10, "x");
                solver.Add(x >= 6);
                solver.Add(x <= 5);
                solver.Maximize(x);
                ctx.Use(solver);
                ctx.Report("x", x);
            }
        }
        """;

    /// <summary>Builds nothing: it spins until the sandbox kills it.</summary>
    public const string Spinning = """
        using Google.OrTools.LinearSolver;
        public sealed class Spin : IOptModel
        {
            public void Build(IModelContext ctx)
            {
                var turns = 0L;
                while (turns >= 0) { turns++; }
                ctx.Use(Solver.CreateSolver("GLOP"));
            }
        }
        """;

    public ScriptedChatModel Model { get; } = new((call, _) => call.Purpose switch
    {
        "program" when call.User.Contains("spins-forever", StringComparison.Ordinal) => "```csharp\n" + Spinning + "\n```",
        // Plant 3 with 24 hours instead of 18: optimum 42 at (4, 6).
        "what-if" => "Constraints: plant 3 now has 24 hours.\n```csharp\n" + Wyndor.Replace("<= 18", "<= 24", StringComparison.Ordinal) + "\n```",
        "formulation" when call.User.Contains("missing-data", StringComparison.Ordinal) && !call.User.Contains("hours-given", StringComparison.Ordinal) =>
            """{"clarify": {"missing": ["plant hours"], "questions": ["How many hours does each plant have a week?"]}}""",
        "formulation" => "Sets: products. Parameters: hours. Variables: doors, windows >= 0. Objective: max 3d + 5w. Constraints: plant hours.",
        "program" when call.User.Contains("does-not-compile", StringComparison.Ordinal) => "```csharp\n" + Wyndor.Replace("ctx.Use(solver);", "ctx.Use(solver)", StringComparison.Ordinal) + "\n```",
        "program" when call.User.Contains("cannot-be-done", StringComparison.Ordinal) => "```csharp\n" + Infeasible + "\n```",
        "program" when call.User.Contains("second-opinion", StringComparison.Ordinal) => "```csharp\n// second-opinion\n" + Wyndor + "\n```",
        // Told which constraints conflict, the model keeps the program: the problem itself has no solution.
        var p when p.StartsWith("self-debug", StringComparison.Ordinal) && call.User.Contains("cannot-be-done", StringComparison.Ordinal) => "```csharp\n" + Infeasible + "\n```",
        _ => "Here it is:\n```csharp\n" + Wyndor + "\n```",
    });

    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Worker:InProcess"] = "true",
        // The scripted model answers the pipeline's calls; retrieval's own model stage has its tests in ModelRetrievalTests.
        ["Retrieval:UseModel"] = "false",
        // Far above what a cancelled run may take, so a slow machine cannot pass a solve that waited for its limit.
        ["Pipeline:SolverTimeLimitSeconds"] = "60",
    };

    /// <summary>The sandbox the pipeline runs programs in: the real one, watched.</summary>
    public WatchedSandbox Sandbox => (WatchedSandbox)Services.GetRequiredService<ISandbox>();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureTestServices(services =>
        {
            services.AddSingleton<IChatModel>(Model);
            var real = services.Last(d => d.ServiceType == typeof(ISandbox)).ImplementationFactory!;
            services.AddSingleton<ISandbox>(sp => new WatchedSandbox((ISandbox)real(sp)));
        });
    }
}

/// <summary>The real sandbox, noting each program as it reaches it, so that a test can wait until a run is under way.</summary>
public sealed class WatchedSandbox(ISandbox real) : ISandbox
{
    public ConcurrentQueue<string> Received { get; } = new();

    /// <summary>
    /// A second solver that disputes the answer, scripted for programs whose source holds the key: the sandbox reports
    /// the run Unverified with that cross-check, as it does when the two solvers disagree (CrossCheckTests).
    /// </summary>
    public ConcurrentDictionary<string, CrossCheck> Disputes { get; } = new();

    public async Task<RunResult> RunAsync(RunRequest request, CancellationToken cancellationToken)
    {
        Received.Enqueue(request.Source);
        var result = await real.RunAsync(request, cancellationToken);
        var dispute = Disputes.FirstOrDefault(s => request.Source.Contains(s.Key, StringComparison.Ordinal)).Value;
        return dispute is null ? result : result with { Status = RunStatus.Unverified, CrossCheck = dispute };
    }
}

public sealed class PipelineTests(PipelineApp app) : IClassFixture<PipelineApp>
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    [Fact]
    public async Task AProblemIsFormulatedProgrammedSolvedAndCheckedAndTheAttemptHoldsEverything()
    {
        var insightId = await AddActiveInsightAsync("General Formulation", "Binary Indicators",
            "When a glass plant chooses how many doors and windows to make with limited plant hours.",
            "Write one capacity row per plant; the usual mistake is to merge the plants' hours into one row.");

        var problem = await SubmitAsync("A glass plant makes doors and windows with limited plant hours; maximise profit.", expected: 36);

        Assert.Equal("solved", problem.Status);
        var attempt = problem.LatestAttempt!;
        Assert.Equal("Correct", attempt.Status);
        Assert.Equal(36, attempt.Objective!.Value, 6);
        Assert.StartsWith("Sets: products.", attempt.Formulation, StringComparison.Ordinal);
        Assert.Contains("class Wyndor", attempt.Program, StringComparison.Ordinal);
        Assert.False(attempt.QueuedForLearning);
        Assert.Contains("formulation@3", attempt.PromptVersions!);
        Assert.True(attempt.PromptTokens > 0);

        var formulationCall = app.Model.Calls.Last(c => c.Purpose == "formulation" && c.User.Contains("glass plant", StringComparison.Ordinal));
        Assert.Contains($"[I{insightId}]", formulationCall.User, StringComparison.Ordinal);
        var programCall = app.Model.Calls.Last(c => c.Purpose == "program" && c.User.Contains("glass plant", StringComparison.Ordinal));
        Assert.Contains(ContractPrompt.Text, programCall.User, StringComparison.Ordinal);
        Assert.Contains(insightId, attempt.RetrievedInsights!.Formulation.Insights.Select(r => r.Insight.Id));
    }

    [Fact]
    public async Task AProblemThatLacksDataAsksInsteadOfGuessingAndItsAnswersSolveIt()
    {
        const string text = "A glass plant makes doors and windows in three plants; maximise profit. missing-data";
        var asked = await SubmitAsync(text, expected: 36);

        Assert.Equal("needsclarification", asked.Status);
        var attempt = asked.LatestAttempt!;
        Assert.Equal("NeedsClarification", attempt.Status);
        Assert.Equal(["How many hours does each plant have a week?"], attempt.Clarification!.Questions);
        Assert.Equal(["plant hours"], attempt.Clarification.Missing);
        Assert.Null(attempt.Formulation);
        Assert.Null(attempt.Program);
        Assert.False(attempt.QueuedForLearning);
        Assert.Contains("clarification", attempt.LearningNote, StringComparison.Ordinal);
        Assert.DoesNotContain(app.Model.Calls, c => c.Purpose == "program" && c.User.Contains("missing-data", StringComparison.Ordinal)); // not a guess
        Assert.Equal(attempt.Id, Assert.Single(asked.Clarifications!).AttemptId);

        using var analyst = app.ClientWithKey(await app.CreateKeyAsync(Role.Analyst));
        Assert.Equal(HttpStatusCode.BadRequest, (await analyst.PostAsJsonAsync($"/api/problems/{asked.Id}/clarify", new { answers = " " })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await analyst.PostAsJsonAsync("/api/problems/987654/clarify", new { answers = "x" })).StatusCode);
        const string answers = "Plant 1 has 4 hours, plant 2 has 12 and plant 3 has 18 (hours-given).";
        var answered = await analyst.PostAsJsonAsync($"/api/problems/{asked.Id}/clarify", new { answers });
        Assert.Equal(HttpStatusCode.Accepted, answered.StatusCode);
        var again = await analyst.PostAsJsonAsync($"/api/problems/{asked.Id}/clarify", new { answers });
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode); // answered already: one solve is queued

        var solved = await WaitFinishedAsync(analyst, asked.Id);
        Assert.Equal("solved", solved.Status);
        Assert.Equal("Correct", solved.LatestAttempt!.Status);
        Assert.Equal(answers, Assert.Single(solved.Clarifications!).Answers);
        var formulationCall = app.Model.Calls.Last(c => c.Purpose == "formulation" && c.User.Contains("missing-data", StringComparison.Ordinal));
        Assert.Contains("Q: How many hours does each plant have a week?", formulationCall.User, StringComparison.Ordinal);
        Assert.Contains("A: " + answers, formulationCall.User, StringComparison.Ordinal);
        var attempts = await analyst.GetFromJsonAsync<List<AttemptDto>>($"/api/problems/{asked.Id}/attempts", Json);
        Assert.Equal(["Correct", "NeedsClarification"], attempts!.Select(a => a.Status));
        Assert.Equal(HttpStatusCode.Conflict, (await analyst.PostAsJsonAsync($"/api/problems/{asked.Id}/clarify", new { answers })).StatusCode);
    }

    [Fact]
    public async Task TheProblemPageShowsTheQuestionsAndTakesTheAnswers()
    {
        var asked = await SubmitAsync("Doors and windows again, for the problem page; maximise profit. missing-data", expected: 36);
        Assert.Equal("needsclarification", asked.Status);
        var page = $"/admin/problems/{asked.Id}";
        var (_, _, session) = await Security.AdminSession.SignInAsync(app, "admin", await app.ReadCredentialAsync("admin_password"));
        using (session)
        {
            var html = await session.Client.GetStringAsync(page);
            Assert.Contains("How many hours does each plant have a week?", html, StringComparison.Ordinal);
            Assert.Contains("Missing: plant hours", html, StringComparison.Ordinal);

            var token = await session.TokenAsync(page);
            using var form = new StringContent($"_handler=clarify&__RequestVerificationToken={Uri.EscapeDataString(token)}&Answer.Answers=4%2C+12+and+18+hours+%28hours-given%29",
                System.Text.Encoding.UTF8, "application/x-www-form-urlencoded");
            var answered = await session.Client.PostAsync(page, form);
            var after = await answered.Content.ReadAsStringAsync();
            Assert.True(answered.StatusCode == HttpStatusCode.OK, after);
            Assert.Contains("Answers recorded", after, StringComparison.Ordinal);
            Assert.Contains("Answered by user:admin: 4, 12 and 18 hours (hours-given)", after, StringComparison.Ordinal);
        }

        using var viewer = app.ClientWithKey(await app.CreateKeyAsync(Role.Viewer));
        Assert.Equal("Correct", (await WaitFinishedAsync(viewer, asked.Id)).LatestAttempt!.Status);
    }

    [Fact]
    public async Task AWhatIfSolvesTheEditedModelBesideTheOriginalAsAChildAttempt()
    {
        using var analyst = app.ClientWithKey(await app.CreateKeyAsync(Role.Analyst));
        analyst.Timeout = TimeSpan.FromMinutes(4);
        var asked = await PostAsync(analyst, "A glass plant whose third plant may get more hours; maximise profit (what-if).", expected: 36);
        var solved = await WaitFinishedAsync(analyst, asked.Id);
        Assert.Equal("Correct", solved.LatestAttempt!.Status);

        Assert.Equal(HttpStatusCode.BadRequest, (await analyst.PostAsJsonAsync($"/api/problems/{asked.Id}/what-if", new { change = "" })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await analyst.PostAsJsonAsync("/api/problems/987654/what-if", new { change = "more hours" })).StatusCode);
        var unsolved = await app.WithDbAsync(async db =>
        {
            var problem = new Problem { Text = "Nothing was solved for this one.", Status = ProblemStatus.Failed, CreatedAt = DateTimeOffset.UtcNow, UpdatedAt = DateTimeOffset.UtcNow };
            db.Problems.Add(problem);
            await db.SaveChangesAsync();
            return problem.Id;
        });
        Assert.Equal(HttpStatusCode.Conflict, (await analyst.PostAsJsonAsync($"/api/problems/{unsolved}/what-if", new { change = "more hours" })).StatusCode);
        var response = await analyst.PostAsJsonAsync($"/api/problems/{asked.Id}/what-if", new { change = "plant 3 has 24 hours a week" });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var result = (await response.Content.ReadFromJsonAsync<WhatIfResult>(Json))!;

        Assert.Equal(solved.LatestAttempt.Id, result.ParentAttemptId);
        Assert.Equal(("Correct", 36.0), (result.Original.Status, result.Original.Objective!.Value));
        Assert.Equal("Solved", result.Changed.Status);
        Assert.Equal(42, result.Changed.Objective!.Value, 6);
        var doors = result.Variables[0];
        Assert.Equal(("doors", true), (doors.Name, doors.Differs));
        Assert.Equal((2.0, 4.0), (Math.Round(doors.Original!.Value, 6), Math.Round(doors.Changed!.Value, 6)));
        Assert.Equal(("windows", false), (result.Variables[1].Name, result.Variables[1].Differs));
        var call = app.Model.Calls.Last(c => c.Purpose == "what-if");
        Assert.Contains("plant 3 has 24 hours a week", call.User, StringComparison.Ordinal);
        Assert.Contains("<= 18", call.User, StringComparison.Ordinal); // the original program, to edit

        // A child attempt: listed with the problem's attempts, never its answer.
        var after = await analyst.GetFromJsonAsync<ProblemDto>($"/api/problems/{asked.Id}", Json);
        Assert.Equal((solved.LatestAttempt.Id, "solved"), (after!.LatestAttempt!.Id, after.Status));
        var child = (await analyst.GetFromJsonAsync<List<AttemptDto>>($"/api/problems/{asked.Id}/attempts", Json))!.Single(a => a.Id == result.AttemptId);
        Assert.Equal((result.ParentAttemptId, "plant 3 has 24 hours a week", false), (child.ParentAttemptId!.Value, child.WhatIf, child.QueuedForLearning));
        Assert.Equal(42, child.Objective!.Value, 6);

        // The problem page asks the same question and shows both answers side by side.
        var page = $"/admin/problems/{asked.Id}";
        var (_, _, session) = await Security.AdminSession.SignInAsync(app, "admin", await app.ReadCredentialAsync("admin_password"));
        using (session)
        {
            var token = await session.TokenAsync(page);
            using var form = new StringContent($"_handler=what-if&__RequestVerificationToken={Uri.EscapeDataString(token)}&Ask.Change=plant+3+has+24+hours",
                System.Text.Encoding.UTF8, "application/x-www-form-urlencoded");
            var answered = await session.Client.PostAsync(page, form);
            var html = await answered.Content.ReadAsStringAsync();
            Assert.True(answered.StatusCode == HttpStatusCode.OK, html);
            Assert.Contains("<tr><td>Objective</td><td class=\"num\">36</td><td class=\"num\">42</td></tr>", html, StringComparison.Ordinal);
            Assert.Contains("<tr class=\"changed\"><td>doors</td><td class=\"num\">2</td><td class=\"num\">4</td></tr>", html, StringComparison.Ordinal);
            Assert.Contains("what-if of #" + result.ParentAttemptId + ": plant 3 has 24 hours", html, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task AnAnswerASecondSolverDisputesIsUnverifiedNotCorrectAndTheAttemptPageSaysSo()
    {
        app.Sandbox.Disputes["// second-opinion"] = new CrossCheck("HIGHS", "Optimal", 35, Agrees: false);
        var problem = await SubmitAsync("The glass plant, with a second-opinion on its answer.", expected: 36);

        var attempt = problem.LatestAttempt!;
        Assert.Equal(("solved", "Unverified"), (problem.Status, attempt.Status));
        Assert.Equal(36, attempt.Objective!.Value, 6); // the first solver's answer, kept but not trusted
        Assert.Equal(("HIGHS", false), (attempt.SolverResult!.CrossCheck!.Solver, attempt.SolverResult.CrossCheck.Agrees));
        Assert.False(attempt.QueuedForLearning);
        Assert.Contains("two solvers disagree", attempt.LearningNote, StringComparison.Ordinal);

        var html = await AdminPageAsync($"/admin/problems/{problem.Id}/attempts/{attempt.Id}");
        Assert.Contains("HIGHS: Optimal, objective 35, disagrees: the answer is unverified", html, StringComparison.Ordinal);
    }

    /// <summary>The attempt's jsonb columns and the REST API's attempt fields that serve them.</summary>
    private static readonly (string Column, string Field)[] JsonColumns =
    [
        ("programs", "programs"), ("solver_result", "solverResult"), ("retrieved_insights", "retrievedInsights"),
        ("model_usage", "modelUsage"), ("timings", "timings"), ("prompt_versions", "promptVersions"),
    ];

    [Fact]
    public async Task AnAttemptIsStoredInTheShapeTheApiServesItIn()
    {
        var problem = await SubmitAsync("The glass plant once more, for its stored record.", expected: 36);

        var served = await ServedAsStoredAsync(problem.Id);

        // The names and enum spellings the untyped record had.
        Assert.Equal(["round", "source", "status", "diagnostics"], served["programs"]![0]!.AsObject().Select(p => p.Key));
        Assert.Equal("Correct", served["programs"]![0]!["status"]!.GetValue<string>());
        Assert.Equal(("Correct", "Optimal"), (served["solverResult"]!["status"]!.GetValue<string>(), served["solverResult"]!["solverStatus"]!.GetValue<string>()));
        Assert.Equal(["formulation", "program", "purpose"], served["retrievedInsights"]!.AsObject().Select(p => p.Key));
        Assert.True(served["timings"]!["total"]!.GetValue<double>() > 0);
        Assert.Equal("formulation@3", served["promptVersions"]![0]!.GetValue<string>());
    }

    [Fact]
    public async Task AnAttemptStoredBeforeItsColumnsWereTypedReadsBackTypedAndIsServedAsStored()
    {
        var problemId = await app.WithDbAsync(async db =>
        {
            var problem = new Problem { Text = "An attempt recorded by an earlier version.", Status = ProblemStatus.Failed, CreatedAt = DateTimeOffset.UtcNow, UpdatedAt = DateTimeOffset.UtcNow };
            db.Problems.Add(problem);
            await db.SaveChangesAsync();
            await db.Database.ExecuteSqlAsync($"""
                INSERT INTO attempts (problem_id, status, programs, solver_result, retrieved_insights, model_usage, timings, prompt_versions,
                                      prompt_tokens, completion_tokens, cost_estimate, queued_for_learning, created_at)
                VALUES ({problem.Id}, 'wronganswer', {EarlierAttempt.Programs}::jsonb, {EarlierAttempt.SolverResult}::jsonb,
                        {EarlierAttempt.RetrievedInsights}::jsonb, {EarlierAttempt.ModelUsage}::jsonb, {EarlierAttempt.Timings}::jsonb,
                        {EarlierAttempt.PromptVersions}::jsonb, 120, 40, 0.00056, false, now())
                """);
            return problem.Id;
        });

        var attempt = await app.WithDbAsync(db => db.Attempts.AsNoTracking().SingleAsync(a => a.ProblemId == problemId));
        Assert.Equal((0, RunStatus.CompileError, "} expected"), (attempt.Programs![0].Round, attempt.Programs[0].Status, attempt.Programs[0].Diagnostics[0].Message));
        Assert.Equal((RunStatus.WrongAnswer, RunStatus.Optimal, 5.5), (attempt.SolverResult!.Status, attempt.SolverResult.SolverStatus, attempt.SolverResult.Variables["windows"]));
        Assert.Equal(("Resource Allocation", 0.8), (attempt.RetrievedInsights!.Formulation.Insights[0].Insight.Taxonomy[0].Level1, attempt.RetrievedInsights.Formulation.Insights[0].VectorSimilarity));
        Assert.Equal(0.00056m, attempt.ModelUsage![0].CostEstimate);
        Assert.Equal(2669.5, attempt.Timings!["total"]);
        Assert.Equal(["formulation@2", "program@2", "self-debug@2"], attempt.PromptVersions!);

        await ServedAsStoredAsync(problemId);
    }

    /// <summary>An attempt as the pipeline wrote it while its columns were JsonDocuments, every field of every record written out.</summary>
    private static class EarlierAttempt
    {
        private const string Diagnostics = """[{"kind":"Compile","line":1,"column":10,"symbol":"CS1513","message":"} expected"}]""";

        public const string Programs = $$"""[{"round":0,"source":"public sealed class A {","status":"CompileError","diagnostics":{{Diagnostics}}},{"round":1,"source":"public sealed class A {}","status":"WrongAnswer","diagnostics":[]}]""";

        public const string SolverResult = """
            {"status":"WrongAnswer","solverStatus":"Optimal","objective":34,"bound":34,"expectedObjective":36,"variables":{"doors":2,"windows":5.5},
             "solver":"GLOP","timings":{"policyMs":1.5,"compileMs":20.25,"runMs":3,"totalMs":24.75},"isolation":"bwrap","isolationDegraded":false,
             "verification":{"checked":true,"feasible":true,"objectiveMatches":true,"recomputedObjective":34,"maxViolation":0,"uncheckedConstraints":0,"issues":[],"passed":true},
             "diagnostics":[],"output":"","outputTruncated":false}
            """;

        private const string Insight = """
            {"id":7,"status":"active","version":1,"condition":"When plants share hours.","explanation":"One row per plant.","example":"",
             "taxonomy":[{"nodeId":3,"stage":"Domain Modeling","level1":"Resource Allocation","level2":"Capacity"}],"sourceProblemIds":[],"sourceAttemptIds":[],
             "origin":{"source":"optlib","externalId":null,"iteration":null,"externalVersion":null,"occurrence":null,"taskIds":[],"taskIdIsList":null},
             "usage":{"positive":1,"negative":0,"invalid":0,"irrelevant":0,"unretrieved":0},
             "evidence":{"positive":["12"],"negative":[],"invalid":[],"irrelevant":[],"unretrieved":[]},
             "embeddingModel":"hash-384","createdAt":"2026-12-01T10:00:00+00:00","updatedAt":"2026-12-01T10:00:00+00:00","createdBy":"system","updatedBy":"system"}
            """;

        public const string RetrievedInsights = $$"""
            {"formulation":{"stage":"formulation","embeddingModel":"hash-384","candidates":3,
              "insights":[{"insight":{{Insight}},"rank":1,"fusedScore":0.0327,"vectorRank":1,"vectorSimilarity":0.8,"textRank":null,"textScore":null,"modelApplies":null,"modelReason":null,"labelRank":null}],
              "labels":null,"rejected":null,"notes":["the model stage is off"],"usage":null,"prompts":null},
             "program":{"stage":"program","embeddingModel":"hash-384","candidates":0,"insights":[],"labels":null,"rejected":null,"notes":null,"usage":null,"prompts":null},
             "purpose":null}
            """;

        public const string ModelUsage = """[{"model":"gpt-test","purpose":"formulation","promptTokens":120,"completionTokens":40,"latencyMs":812.5,"outcome":"ok","costEstimate":0.00056}]""";

        public const string Timings = """{"retrieveFormulation":3.25,"formulate":812.5,"retrieveProgram":2,"program":640,"sandbox":1210.75,"total":2669.5}""";

        public const string PromptVersions = """["formulation@2","program@2","self-debug@2"]""";
    }

    /// <summary>The problem's one attempt as GET /api/problems/{id}/attempts serves it, each jsonb field as its column holds it.</summary>
    private async Task<JsonNode> ServedAsStoredAsync(long problemId)
    {
        using var viewer = app.ClientWithKey(await app.CreateKeyAsync(Role.Viewer));
        var served = JsonNode.Parse(await viewer.GetStringAsync($"/api/problems/{problemId}/attempts"))!.AsArray().Single()!;
        var row = await app.WithDbAsync(async db => JsonNode.Parse(await db.Database
            .SqlQuery<string>($"SELECT row_to_json(a)::text AS \"Value\" FROM attempts a WHERE a.problem_id = {problemId}").SingleAsync())!);
        foreach (var (column, field) in JsonColumns)
        {
            Assert.NotNull(row[column]);
            Assert.True(JsonNode.DeepEquals(row[column], served[field]), $"{column}: stored {row[column]?.ToJsonString()}, served {served[field]?.ToJsonString()}");
        }

        return served;
    }

    [Fact]
    public async Task ACompileErrorIsFixedInTheSelfDebugRoundAndBothProgramsAreKept()
    {
        var problem = await SubmitAsync("does-not-compile: the glass plant again.", expected: 36);

        var attempt = problem.LatestAttempt!;
        Assert.Equal("Correct", attempt.Status);
        Assert.Equal([RunStatus.CompileError, RunStatus.Correct], attempt.Programs!.Select(p => p.Status));
        Assert.Contains(attempt.Programs![0].Diagnostics, d => d.Message == "; expected");
        var debugCall = app.Model.Calls.Single(c => c.Purpose == "self-debug 1" && c.User.Contains("does-not-compile", StringComparison.Ordinal));
        Assert.Contains("; expected", debugCall.User, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AWrongAnswerIsMarkedAndQueuedForLearning()
    {
        var problem = await SubmitAsync("The glass plant, but the book says the profit is 40.", expected: 40);

        Assert.Equal("failed", problem.Status);
        Assert.Equal("WrongAnswer", problem.LatestAttempt!.Status);
        Assert.True(problem.LatestAttempt.QueuedForLearning);
        Assert.True(await app.WithDbAsync(db => db.Attempts.AnyAsync(a => a.Id == problem.LatestAttempt.Id && a.QueuedForLearning)));
    }

    [Fact]
    public async Task AnInfeasibleModelIsReportedAsSuch()
    {
        var problem = await SubmitAsync("cannot-be-done: x at least 6 and at most 5.", expected: null);

        Assert.Equal("Infeasible", problem.LatestAttempt!.Status);
        using var viewer = app.ClientWithKey(await app.CreateKeyAsync(Role.Viewer));
        var attempts = await viewer.GetFromJsonAsync<List<AttemptDto>>($"/api/problems/{problem.Id}/attempts", Json);
        var attempt = Assert.Single(attempts!);
        Assert.Equal(problem.LatestAttempt.Id, attempt.Id);

        // The attempt keeps the conflict (the two unnamed rows, told by what they say; x's bounds 0..10 play no part) ...
        var conflict = Assert.IsType<Infeasibility>(attempt.SolverResult!.Infeasibility);
        Assert.Equal(["row 0: x >= 6", "row 1: x <= 5"], conflict.Constraints);
        Assert.Empty(conflict.Bounds);
        Assert.True(conflict.Complete);

        // ... and self-debug told the model; it answered with the same program, so the same program was not run again.
        var debugCall = app.Model.Calls.Single(c => c.Purpose == "self-debug 1" && c.User.Contains("cannot-be-done", StringComparison.Ordinal));
        Assert.Contains("These cannot hold together: constraint 'row 0: x >= 6', constraint 'row 1: x <= 5'.", debugCall.User, StringComparison.Ordinal);
        Assert.DoesNotContain(app.Model.Calls, c => c.Purpose == "self-debug 2" && c.User.Contains("cannot-be-done", StringComparison.Ordinal));
        Assert.Equal([RunStatus.Infeasible], attempt.Programs!.Select(p => p.Status));

        var html = await AdminPageAsync($"/admin/problems/{problem.Id}/attempts/{attempt.Id}");
        Assert.Contains("Constraints that cannot hold together", html, StringComparison.Ordinal);
        Assert.Contains("<code>row 0: x &gt;= 6</code>", html, StringComparison.Ordinal);
        Assert.Contains("<code>row 1: x &lt;= 5</code>", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ASolvedLpKeepsItsSensitivityOnTheAttemptAndTheAttemptPageShowsIt()
    {
        var problem = await SubmitAsync("The glass plant, with what each hour is worth.", expected: 36);

        // Wyndor's duals, by hand: the window and assembly rows are tight at (2, 6) and 3 y3 = 3, 2 y2 + 2 y3 = 5.
        var sensitivity = Assert.IsType<Sensitivity>(problem.LatestAttempt!.SolverResult!.Sensitivity);
        Assert.Equal("lp", sensitivity.Basis);
        var rows = sensitivity.Constraints.ToDictionary(c => c.Name);
        Assert.Equal(["row 0: doors <= 4", "row 1: 2 windows <= 12", "row 2: 3 doors + 2 windows <= 18"], rows.Keys);
        Assert.Equal((0.0, 2.0, false), (Math.Round(rows["row 0: doors <= 4"].Dual, 9), Math.Round(rows["row 0: doors <= 4"].Slack, 9), rows["row 0: doors <= 4"].Binding));
        Assert.Equal((1.5, true), (Math.Round(rows["row 1: 2 windows <= 12"].Dual, 9), rows["row 1: 2 windows <= 12"].Binding));
        Assert.Equal((1.0, true), (Math.Round(rows["row 2: 3 doors + 2 windows <= 18"].Dual, 9), rows["row 2: 3 doors + 2 windows <= 18"].Binding));
        Assert.Null(problem.LatestAttempt.SolverResult.Infeasibility);

        var html = await AdminPageAsync($"/admin/problems/{problem.Id}/attempts/{problem.LatestAttempt.Id}");
        Assert.Contains("<td>row 1: 2 windows &lt;= 12</td><td class=\"num\">1.5</td><td class=\"num\">0</td><td>yes</td>", html, StringComparison.Ordinal);
        Assert.Contains("<td>row 0: doors &lt;= 4</td><td class=\"num\">0</td><td class=\"num\">2</td><td>no</td>", html, StringComparison.Ordinal);
    }

    private async Task<string> AdminPageAsync(string page)
    {
        var (_, _, session) = await Security.AdminSession.SignInAsync(app, "admin", await app.ReadCredentialAsync("admin_password"));
        using (session)
        {
            var response = await session.Client.GetAsync(page);
            var html = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.OK, html);
            return html;
        }
    }

    [Fact]
    public async Task TablesAreValidatedNamingTheTableAndLineThenShownAndRenderedCompactlyInBothPrompts()
    {
        using var analyst = app.ClientWithKey(await app.CreateKeyAsync(Role.Analyst));
        analyst.Timeout = TimeSpan.FromMinutes(4); // a loaded CI machine; the service itself answers when the solve ends
        var ragged = await analyst.PostAsJsonAsync("/api/problems", new
        {
            text = "The glass plant, from its tables.",
            tables = new[] { new { name = "hours", csv = "plant,doors,windows\n1,1,0\n2,0,2,9\n" } },
        });
        Assert.Equal(HttpStatusCode.BadRequest, ragged.StatusCode);
        Assert.Contains("Table 'hours', line 3: 4 cells where the header row has 3.", await ErrorsAsync(ragged), StringComparison.Ordinal);

        var unclosed = await analyst.PostAsJsonAsync("/api/problems", new
        {
            text = "The glass plant, from its tables.",
            tables = new[] { new { name = "ok", csv = "a,b\n1,2" }, new { name = "notes", csv = "plant,note\n1,\"open\n2,shut" } },
        });
        Assert.Equal("Table 'notes', line 2: a quoted cell is never closed.", await ErrorsAsync(unclosed));
        var tooMany = await analyst.PostAsJsonAsync("/api/problems", new
        {
            text = "Many tables.",
            tables = Enumerable.Range(0, 21).Select(i => new { name = $"t{i}", csv = "a\n1" }),
        });
        Assert.Equal(HttpStatusCode.BadRequest, tooMany.StatusCode);
        Assert.Contains("At most 20 tables", await ErrorsAsync(tooMany), StringComparison.Ordinal);
        Assert.Equal(0, await app.WithDbAsync(db => db.Problems.CountAsync(p => p.Text.StartsWith("The glass plant, from") || p.Text == "Many tables.")));

        var response = await analyst.PostAsJsonAsync("/api/problems?wait=180", new
        {
            text = "The glass plant, from its tables: maximise profit.",
            expectedObjective = 36,
            tables = new[]
            {
                new { name = "hours", csv = "plant , doors, windows, available\r\n1,1,0,4\r\n2,0,2,12\r\n\r\n3,3,2,18\r\n" },
                new { name = "profit", csv = "product,per batch\ndoors,3\n\"windows, double\",5\n" },
            },
        });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var problem = (await response.Content.ReadFromJsonAsync<ProblemDto>(Json))!;
        Assert.Equal("Correct", problem.LatestAttempt!.Status);
        Assert.Equal(["hours", "profit"], problem.Tables!.Select(t => t.Name));
        Assert.StartsWith("plant , doors", problem.Tables![0].Csv, StringComparison.Ordinal); // stored as given

        const string Rendered = "Table \"hours\" (3 rows x 4 columns):\nplant,doors,windows,available\n1,1,0,4\n2,0,2,12\n3,3,2,18\n\n"
            + "Table \"profit\" (2 rows x 2 columns):\nproduct,per batch\ndoors,3\n\"windows, double\",5\n";
        foreach (var purpose in new[] { "formulation", "program" })
        {
            var call = app.Model.Calls.Last(c => c.Purpose == purpose && c.User.Contains("from its tables: maximise", StringComparison.Ordinal));
            Assert.Contains(Rendered, call.User, StringComparison.Ordinal);
            Assert.DoesNotContain("\"csv\"", call.User, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task CancellingStopsARunningProblemAndAQueuedOneNeverStarts()
    {
        var entered = new ConcurrentDictionary<string, bool>();
        app.Model.Pause = async (call, ct) =>
        {
            if (call.User.Contains("hold-the-model", StringComparison.Ordinal))
            {
                entered[call.User.Contains("#1", StringComparison.Ordinal) ? "#1" : "#2"] = true;
                await Task.Delay(Timeout.Infinite, ct); // only a cancelled token ends this call
            }
        };
        using var analyst = app.ClientWithKey(await app.CreateKeyAsync(Role.Analyst));
        try
        {
            // Both solve workers (Worker:SolveConcurrency 2) hang in a model call, so a third problem stays queued.
            var first = await PostAsync(analyst, "hold-the-model #1: the glass plant.");
            var second = await PostAsync(analyst, "hold-the-model #2: the glass plant.");
            await Eventually.UntilAsync(() => Task.FromResult(entered.Count == 2), TimeSpan.FromSeconds(60), "both held problems to reach the model");
            var queued = await PostAsync(analyst, "queued-behind: the glass plant.");
            Assert.Equal("queued", queued.Status);

            var cancelQueued = await analyst.DeleteAsync($"/api/problems/{queued.Id}");
            Assert.Equal(HttpStatusCode.OK, cancelQueued.StatusCode);
            Assert.Equal("cancelled", (await cancelQueued.Content.ReadFromJsonAsync<ProblemDto>(Json))!.Status);

            var cancelRunning = await analyst.DeleteAsync($"/api/problems/{first.Id}");
            Assert.Equal(HttpStatusCode.Accepted, cancelRunning.StatusCode);
            Assert.Equal($"/api/problems/{first.Id}", cancelRunning.Headers.Location!.OriginalString);
            // Asked twice: still stopping, unless its next cancel check stopped it in between, when it has finished.
            var again = await analyst.DeleteAsync($"/api/problems/{first.Id}");
            var againBody = await again.Content.ReadAsStringAsync();
            Assert.True(again.StatusCode == HttpStatusCode.Accepted || (again.StatusCode == HttpStatusCode.Conflict && againBody.Contains("is cancelled", StringComparison.Ordinal)),
                $"{again.StatusCode}: {againBody}");
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var stopped = await WaitFinishedAsync(analyst, first.Id);
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(15), $"stopped after {clock.Elapsed}");
            Assert.Equal("cancelled", stopped.Status);
            Assert.Equal("Cancelled", stopped.LatestAttempt!.Status);
            Assert.Equal("cancelled on request", stopped.LatestAttempt.Error);
            Assert.False(stopped.LatestAttempt.QueuedForLearning);

            var cancelSecond = await analyst.DeleteAsync($"/api/problems/{second.Id}");
            if (cancelSecond.StatusCode != HttpStatusCode.Accepted) // it was still held in its model call; say what it was doing instead
            {
                Assert.Fail($"{cancelSecond.StatusCode}: {await cancelSecond.Content.ReadAsStringAsync()}; attempts: {await analyst.GetStringAsync($"/api/problems/{second.Id}/attempts")}");
            }
            Assert.Equal("cancelled", (await WaitFinishedAsync(analyst, second.Id)).Status);

            // A negative check, so a window and not a wait: both workers are free now, and for two polls of the queue
            // (Worker:PollIntervalSeconds 1) the cancelled problem must stay unstarted, looked at all along.
            await Eventually.ThroughoutAsync(
                async () => (Attempts: (await analyst.GetFromJsonAsync<List<AttemptDto>>($"/api/problems/{queued.Id}/attempts", Json))!.Count,
                    ModelCalls: app.Model.Calls.Count(c => c.User.Contains("queued-behind", StringComparison.Ordinal))),
                traces => traces == (0, 0), TimeSpan.FromSeconds(2.5), "the cancelled queued problem to stay unstarted",
                traces => $"{traces.Attempts} attempts, {traces.ModelCalls} model calls");
            var queuedJob = await analyst.GetFromJsonAsync<JobDto>($"/api/jobs/{queued.JobId}", Json);
            Assert.Equal(("solve", "cancelled"), (queuedJob!.Kind, queuedJob.State)); // its job was cancelled before its item ran
            Assert.Equal(2, await app.WithDbAsync(db => db.AuditLog.CountAsync(a => a.Action == "cancel" && a.EntityType == "problem"
                && (a.EntityId == queued.Id.ToString() || a.EntityId == first.Id.ToString()))));

            var finished = await analyst.DeleteAsync($"/api/problems/{first.Id}");
            Assert.Equal(HttpStatusCode.Conflict, finished.StatusCode);
            Assert.Contains("is cancelled", await finished.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            Assert.Equal(HttpStatusCode.NotFound, (await analyst.DeleteAsync("/api/problems/987654")).StatusCode);
            using var viewer = app.ClientWithKey(await app.CreateKeyAsync(Role.Viewer));
            Assert.Equal(HttpStatusCode.Forbidden, (await viewer.DeleteAsync($"/api/problems/{second.Id}")).StatusCode);
        }
        finally
        {
            app.Model.Pause = null;
        }
    }

    [Fact]
    public async Task AStoppingServerIsNotACancelRequestTheProblemGoesBackToTheQueue()
    {
        var entered = new TaskCompletionSource();
        app.Model.Pause = async (call, ct) =>
        {
            if (call.User.Contains("server-stops", StringComparison.Ordinal))
            {
                entered.TrySetResult();
                await Task.Delay(Timeout.Infinite, ct);
            }
        };
        try
        {
            var id = await app.WithDbAsync(async db =>
            {
                var problem = new Problem { Text = "server-stops: the glass plant.", Status = ProblemStatus.Queued, CreatedAt = DateTimeOffset.UtcNow, UpdatedAt = DateTimeOffset.UtcNow };
                db.Problems.Add(problem);
                await db.SaveChangesAsync();
                return problem.Id;
            });
            using var shutdown = new CancellationTokenSource();
            await using var scope = app.Services.CreateAsyncScope();
            var solving = scope.ServiceProvider.GetRequiredService<ISender>().Send(new SolveProblem(id), shutdown.Token).AsTask();
            await entered.Task.WaitAsync(TimeSpan.FromMinutes(1));
            await shutdown.CancelAsync(); // what Hangfire does to a running job's token when its server stops

            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => solving); // so Hangfire re-queues the job
            var (status, attempt) = await app.WithDbAsync(async db => (
                await db.Problems.Where(p => p.Id == id).Select(p => p.Status).SingleAsync(),
                await db.Attempts.SingleAsync(a => a.ProblemId == id)));
            Assert.Equal(ProblemStatus.Queued, status);
            Assert.Equal(AttemptStatus.Cancelled, attempt.Status);
            Assert.StartsWith("interrupted", attempt.Error, StringComparison.Ordinal);
        }
        finally
        {
            app.Model.Pause = null;
        }
    }

    [Fact]
    public async Task CancellingDuringTheSandboxRunKillsTheProgramInsteadOfWaitingForItsTimeLimit()
    {
        using var analyst = app.ClientWithKey(await app.CreateKeyAsync(Role.Analyst));
        var problem = await PostAsync(analyst, "spins-forever: the glass plant.");
        await Eventually.UntilAsync(() => Task.FromResult(app.Sandbox.Received.Any(source => source.Contains("class Spin", StringComparison.Ordinal))),
            TimeSpan.FromSeconds(60), "the spinning program to reach the sandbox");

        var clock = System.Diagnostics.Stopwatch.StartNew();
        Assert.Equal(HttpStatusCode.Accepted, (await analyst.DeleteAsync($"/api/problems/{problem.Id}")).StatusCode);
        var stopped = await WaitFinishedAsync(analyst, problem.Id);

        // The time limit is 60 s plus grace: a solve that waited for it would also have self-debugged.
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"stopped after {clock.Elapsed}");
        Assert.Equal("Cancelled", stopped.LatestAttempt!.Status);
        Assert.Empty(stopped.LatestAttempt.Programs!);
        Assert.DoesNotContain(app.Model.Calls, c => c.Purpose.StartsWith("self-debug", StringComparison.Ordinal) && c.User.Contains("spins-forever", StringComparison.Ordinal));
    }

    [Fact]
    public async Task TwentyProblemsAtOnceNeverSolveMoreThanTheConcurrencyBoundAtATime()
    {
        const int Bound = 2; // Worker:SolveConcurrency, the default this app keeps
        var inFlight = 0;
        var most = 0;
        app.Model.Pause = async (call, ct) =>
        {
            if (!call.User.Contains("crowd #", StringComparison.Ordinal))
            {
                return;
            }

            var now = Interlocked.Increment(ref inFlight);
            InterlockedMax(ref most, now);
            try
            {
                await Task.Delay(400, ct);
            }
            finally
            {
                Interlocked.Decrement(ref inFlight);
            }
        };
        using var analyst = app.ClientWithKey(await app.CreateKeyAsync(Role.Analyst));
        try
        {
            var submitted = await Task.WhenAll(Enumerable.Range(1, 20).Select(i => PostAsync(analyst, $"crowd #{i}: the glass plant.", expected: 36)));
            var done = await Task.WhenAll(submitted.Select(p => WaitFinishedAsync(analyst, p.Id, TimeSpan.FromMinutes(4))));

            Assert.All(done, p => Assert.Equal("Correct", p.LatestAttempt!.Status));
            Assert.True(most <= Bound, $"{most} model calls at once with a bound of {Bound}");
            Assert.True(most == Bound, $"never more than {most} at once: the measure did not see the workers overlap");
        }
        finally
        {
            app.Model.Pause = null;
        }
    }

    private static async Task<string> ErrorsAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return string.Join('\n', body.RootElement.GetProperty("errors").EnumerateObject().SelectMany(e => e.Value.EnumerateArray()).Select(m => m.GetString()));
    }

    private static void InterlockedMax(ref int target, int value)
    {
        var seen = Volatile.Read(ref target);
        while (value > seen && Interlocked.CompareExchange(ref target, value, seen) is var before && before != seen)
        {
            seen = before;
        }
    }

    // A submitted problem is solved by a job of kind "solve", like every other background run: it is listed with the
    // jobs, names its problem, ends with the attempt in its result, and cancels through the job routes.
    [Fact]
    public async Task ASubmittedProblemIsASolveJobThatNamesItAndEndsWithItsAttempt()
    {
        using var analyst = app.ClientWithKey(await app.CreateKeyAsync(Role.Analyst));
        var problem = await PostAsync(analyst, "A glass plant makes doors and windows; maximise profit (solve job).", expected: 36);
        Assert.NotNull(problem.JobId);

        var listed = await analyst.GetFromJsonAsync<JobPage>("/api/jobs?kind=solve&pageSize=200", Json);
        Assert.Contains(listed!.Items, j => j.Id == problem.JobId && j.Kind == "solve");
        var job = await analyst.WaitForEndAsync(problem.JobId!.Value);
        Assert.Equal("succeeded", job.State);
        Assert.Equal(problem.Id, job.Parameters!.Value.GetProperty("problem").GetInt64());

        var solved = (await analyst.GetFromJsonAsync<ProblemDto>($"/api/problems/{problem.Id}", Json))!;
        Assert.Equal(("solved", "Correct"), (solved.Status, solved.LatestAttempt!.Status));
        Assert.Equal(solved.LatestAttempt.Id, job.Metrics!.Value.GetProperty("attempt").GetInt64());
        Assert.Equal(36, job.Metrics.Value.GetProperty("objective").GetDouble(), 6);
        Assert.Contains($"Problem {problem.Id}: attempt {solved.LatestAttempt.Id} ended Correct", job.Report, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CancellingTheSolveJobStopsTheRunningProblem()
    {
        var entered = new TaskCompletionSource();
        app.Model.Pause = async (call, ct) =>
        {
            if (call.User.Contains("hold-for-the-job-route", StringComparison.Ordinal))
            {
                entered.TrySetResult();
                await Task.Delay(Timeout.Infinite, ct); // only a cancelled token ends this call
            }
        };
        try
        {
            using var analyst = app.ClientWithKey(await app.CreateKeyAsync(Role.Analyst));
            var problem = await PostAsync(analyst, "hold-for-the-job-route: the glass plant.", expected: null);
            await entered.Task.WaitAsync(TimeSpan.FromMinutes(1));

            var cancel = await analyst.PostAsync($"/api/jobs/{problem.JobId}/cancel", null);
            Assert.Equal(HttpStatusCode.OK, cancel.StatusCode);
            var told = (await analyst.GetFromJsonAsync<ProblemDto>($"/api/problems/{problem.Id}", Json))!.Status;
            Assert.Contains(told, new[] { "cancelling", "cancelled" }); // the problem says so at once, not only once it stops

            var job = await analyst.WaitForEndAsync(problem.JobId!.Value);
            Assert.Equal("cancelled", job.State);
            var stopped = (await analyst.GetFromJsonAsync<ProblemDto>($"/api/problems/{problem.Id}", Json))!;
            Assert.Equal("cancelled", stopped.Status);
            Assert.Equal("Cancelled", stopped.LatestAttempt!.Status);
            Assert.Equal("cancelled on request", stopped.LatestAttempt.Error);
            Assert.False(stopped.LatestAttempt.QueuedForLearning);
        }
        finally
        {
            app.Model.Pause = null;
        }
    }

    [Fact]
    public async Task ClientsCannotStartASolveJobThemselves()
    {
        using var analyst = app.ClientWithKey(await app.CreateKeyAsync(Role.Analyst));
        var response = await analyst.PostAsJsonAsync("/api/jobs", new { kind = "solve", parameters = new { problem = 1 } });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("POST /api/problems", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var unknown = await analyst.PostAsJsonAsync("/api/jobs", new { kind = "no-such-kind" });
        var known = await unknown.Content.ReadAsStringAsync();
        Assert.Contains("Known kinds: comparison, evaluation", known, StringComparison.Ordinal);
        Assert.DoesNotContain("solve", known, StringComparison.Ordinal); // not offered among them
    }

    private static async Task<ProblemDto> PostAsync(HttpClient client, string text, double? expected = null)
    {
        var response = await client.PostAsJsonAsync("/api/problems", new { text, expectedObjective = expected });
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<ProblemDto>(Json))!;
    }

    private static Task<ProblemDto> WaitFinishedAsync(HttpClient client, long id, TimeSpan? timeout = null) =>
        Eventually.ValueAsync(async () => (await client.GetFromJsonAsync<ProblemDto>($"/api/problems/{id}", Json))!, p => p.IsFinished,
            timeout ?? TimeSpan.FromSeconds(60), $"problem {id} to finish", p => $"{p.Status}, attempt {p.LatestAttempt?.Status}");

    private async Task<ProblemDto> SubmitAsync(string text, double? expected)
    {
        using var analyst = app.ClientWithKey(await app.CreateKeyAsync(Role.Analyst));
        analyst.Timeout = TimeSpan.FromMinutes(4); // a loaded CI machine; the service itself answers when the solve ends
        var response = await analyst.PostAsJsonAsync("/api/problems?wait=180", new { text, expectedObjective = expected });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<ProblemDto>(Json))!;
    }

    private Task<long> AddActiveInsightAsync(string stage, string level2, string condition, string explanation) => app.WithDbAsync(async db =>
    {
        var node = await db.TaxonomyNodes.Include(n => n.Parent!).ThenInclude(p => p.Parent)
            .FirstAsync(n => n.Depth == 2 && n.Name == level2 && n.Parent!.Parent!.Name == stage);
        var insight = new Insight
        {
            Condition = condition,
            Explanation = explanation,
            Status = InsightStatus.Active,
            Version = 1,
            Taxonomy = [node],
            CreatedBy = "test",
            UpdatedBy = "test",
            CreatedAt = DateTimeOffset.UtcNow,
            UpdatedAt = DateTimeOffset.UtcNow,
        };
        await app.Embeddings.EmbedAsync(insight, CancellationToken.None);
        db.Insights.Add(insight);
        await db.SaveChangesAsync();
        return insight.Id;
    });
}

public sealed class NoModelTests(OptLibApp app) : IClassFixture<OptLibApp>
{
    [Fact]
    public async Task WithoutAModelSubmittingIs503NamingTheSettingsAndStoresNothing()
    {
        using var admin = app.Admin();
        var response = await admin.PostAsJsonAsync("/api/problems", new { text = "Maximise x subject to x <= 3." });

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Contains("Model:Provider", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(0, await app.WithDbAsync(db => db.Problems.CountAsync()));
    }
}
