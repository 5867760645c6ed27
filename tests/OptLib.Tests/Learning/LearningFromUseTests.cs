using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using OptLib.Library.Access;
using OptLib.Library.Attempts;
using OptLib.Library.Dashboard;
using OptLib.Library.Evolution;
using OptLib.Library.Feedback;
using OptLib.Library.Insights;
using OptLib.Library.Jobs;
using OptLib.Library.Learning;
using OptLib.Library.Models;
using OptLib.Library.Problems;
using OptLib.Tests.Infrastructure;
using OptLib.Tests.Jobs;
using static OptLib.Tests.Learning.LearningScript;

namespace OptLib.Tests.Learning;

/// <summary>
/// The service learning from its own traffic, with two job workers and nothing imported. Each family of problems has
/// its own lesson:
/// <list type="bullet">
/// <item>sawmill: a program lesson. The program is right only when the program prompt's own insights hold SAW-RULE
/// (a formulation that carries it along is not enough), and the scripted extraction files it under the first Code
/// Implementation label it is offered, so it is learned only when extraction offers that stage for a wrong answer
/// and verification puts the candidate in the program prompt;</item>
/// <item>quarry: every extraction writes the lesson in the same words (duplicates to fold);</item>
/// <item>brewery: every extraction writes it in other words, right only for its own order, and the model merges them
/// into a text right for every order (merges, and their races);</item>
/// <item>blank: the model answers with nothing.</item>
/// </list>
/// </summary>
public sealed partial class LearningFromUseApp : ScriptedLibraryApp
{
    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Retrieval:UseModel"] = "false",
        ["Pipeline:MaxDebugRounds"] = "0",
        ["Worker:InProcess"] = "true",
        ["Worker:WorkerCount"] = "2",
        ["Worker:SolveConcurrency"] = "2",
    };

    /// <summary>Holds the first brewery merge decision until a second one comes, so two learners merge into one insight at once.</summary>
    public TaskCompletionSource SecondMergeArrived { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private int _brewMerges;

    public bool HoldMerges { get; set; }

    public LearningFromUseApp() => Model.Pause = async (call, ct) =>
    {
        if (HoldMerges && call.Purpose == "merge-decision" && call.User.Contains("BREW-RULE", StringComparison.Ordinal))
        {
            if (Interlocked.Increment(ref _brewMerges) >= 2)
            {
                SecondMergeArrived.TrySetResult();
            }

            // A bound, not a synchronisation by time: without a second learner the race cannot happen, and the test says so.
            await SecondMergeArrived.Task.WaitAsync(TimeSpan.FromSeconds(90), ct).ContinueWith(_ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
    };

    protected override string Answer(ModelCall call, int n) => call.Purpose switch
    {
        "formulation" when Family(call.User) == "blank" => "   ",
        "formulation" => Formulate(call),
        "program" => Family(call.User) switch
        {
            "sawmill" => Code(ShownInsights(call.User).Any(i => i.Text.Contains("SAW-RULE", StringComparison.Ordinal)) ? Right : Wrong),
            "quarry" => Code(call.User.Contains("QUARRY-RULE", StringComparison.Ordinal) ? Right : Wrong),
            // A brewery needs its own order's lesson, or the merged one that serves every order.
            "brewery" => Code(call.User.Contains("BREW-RULE", StringComparison.Ordinal)
                && (call.User.Contains($"as order {Order(call.User)} needed", StringComparison.Ordinal) || call.User.Contains("write one capacity row", StringComparison.Ordinal)) ? Right : Wrong),
            "dairy" => Code(Right),
            "cannery" => "I would rather not write a program today.", // no ```csharp block: not a program
            _ => Code(Wrong),
        },
        var p when p.StartsWith("self-explore", StringComparison.Ordinal) => "Formulation: the first plant has 18 hours, not 20.\n" + Code(Right),
        "extract-insights" => Extract(call.User),
        "merge-decision" => MergeDecision(call.User),
        _ => throw new InvalidOperationException($"No script for {call.Purpose}."),
    };

    /// <summary>The same lesson exactly when an offered neighbour teaches the candidate's rule; brewery merges get one text.</summary>
    private static string MergeDecision(string prompt)
    {
        var marker = prompt.IndexOf("Existing insights:", StringComparison.Ordinal);
        var rule = RulePattern().Match(prompt[..marker]).Value;
        var same = prompt[marker..].Split("\n\n").FirstOrDefault(block => block.Contains(rule, StringComparison.Ordinal));
        return same is null
            ? JsonSerializer.Serialize(new { mergeWith = (long?)null, reason = "another lesson" })
            : JsonSerializer.Serialize(new
            {
                mergeWith = IdsAfter(same, "Id: ")[0],
                condition = "When a brewery's products share the hours of its brew house.",
                explanation = "BREW-RULE: the brew house has 18 hours a week; write one capacity row for it.",
                example = "3 d + 2 w <= 18, not 20.",
                reason = "the same lesson",
            });
    }

    [GeneratedRegex(@"[A-Z]+-RULE")]
    private static partial Regex RulePattern();

    /// <summary>By the problem's own words (the prompts also carry insights learned from other families).</summary>
    public static string Family(string prompt) =>
        prompt.Contains("A sawmill", StringComparison.Ordinal) ? "sawmill"
        : prompt.Contains("A quarry", StringComparison.Ordinal) ? "quarry"
        : prompt.Contains("A brewery", StringComparison.Ordinal) ? "brewery"
        : prompt.Contains("A blank", StringComparison.Ordinal) ? "blank"
        : prompt.Contains("A dairy", StringComparison.Ordinal) ? "dairy"
        : prompt.Contains("A cannery", StringComparison.Ordinal) ? "cannery"
        : "other";

    private static string Extract(string prompt) => Family(prompt) switch
    {
        "sawmill" => Insights(Offered(prompt).First(l => l.StartsWith("Code Implementation / ", StringComparison.Ordinal)),
            "When a sawmill cuts whole planks from logs.", "SAW-RULE: planks are whole numbers; hand the model to a MIP solver, not to GLOP."),
        "quarry" => Insights("General Formulation / Constraints / Shared Capacity",
            "When a quarry's products share the hours of its crusher.", "QUARRY-RULE: the crusher has 18 hours; one row per machine."),
        _ => Insights("General Formulation / Constraints / Shared Capacity",
            $"When a brewery (order {Order(prompt)}) {BrewWords[int.Parse(Order(prompt), System.Globalization.CultureInfo.InvariantCulture) % BrewWords.Length]}.",
            $"BREW-RULE: count 18 brew-house hours, as order {Order(prompt)} needed."),
    };

    /// <summary>Each brewery lesson in other words, so that no two are near-identical texts.</summary>
    private static readonly string[] BrewWords =
    [
        "ferments lager and porter in tanks that wait on one kettle",
        "boils wort for ale and stout within a weekly kettle limit",
        "schedules mashing of several beers across shared vessels",
        "plans batches whose boiling time is capped every week",
    ];

    /// <summary>The labels the extraction prompt offers, one "stage / level 1 / level 2" per line.</summary>
    public static List<string> Offered(string prompt)
    {
        var start = prompt.IndexOf("Labels in use (stage / level 1 / level 2):\n", StringComparison.Ordinal);
        Assert.True(start >= 0, "the extraction prompt lists no labels");
        return [.. prompt[(start + 43)..].Split('\n').TakeWhile(l => l.Length > 0)];
    }

    private static string Order(string prompt) => OrderPattern().Match(prompt) is { Success: true } m ? m.Groups[1].Value : "?";

    private static string Insights(string label, string condition, string explanation)
    {
        var parts = label.Split(" / ");
        return JsonSerializer.Serialize(new
        {
            insights = new[] { new { labels = new[] { new { stage = parts[0], level1 = parts[1], level2 = parts[2] } }, condition, explanation, example = "wrong: 20; right: 18" } },
        });
    }

    [GeneratedRegex(@"\(order (\d+)\)")]
    private static partial Regex OrderPattern();
}

public sealed class LearningFromUseTests(LearningFromUseApp app) : IClassFixture<LearningFromUseApp>
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    [Fact]
    public async Task SubmittedFailuresAndFeedbackAreLearnedByAJobWithNoParametersIncludingAProgramLesson()
    {
        using var analyst = app.ClientWithKey(await app.CreateKeyAsync(Role.Analyst));
        using var viewer = app.ClientWithKey(await app.CreateKeyAsync(Role.Viewer));

        // A failure whose answer came with the submission, and one whose answer comes afterwards, by feedback.
        var submitted = await SubmitAsync(analyst, "A sawmill (order 1) cuts planks and beams from logs; maximise profit.", 36);
        Assert.Equal(("WrongAnswer", true, "waiting for learning"), (submitted.LatestAttempt!.Status, submitted.LatestAttempt.QueuedForLearning, submitted.LatestAttempt.LearningNote));
        var unjudged = await SubmitAsync(analyst, "A sawmill (order 2) saws boards of two widths; maximise profit.", null);
        Assert.Equal(("solved", "Solved", false), (unjudged.Status, unjudged.LatestAttempt!.Status, unjudged.LatestAttempt.QueuedForLearning));
        Assert.Contains("no known answer", unjudged.LatestAttempt.LearningNote, StringComparison.Ordinal);

        // Feedback: who may give it, and what it must say.
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.PostAsJsonAsync($"/api/problems/{unjudged.Id}/feedback", new { verdict = "incorrect", expectedObjective = 36 })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await analyst.PostAsJsonAsync("/api/problems/999999/feedback", new { verdict = "incorrect", expectedObjective = 36 })).StatusCode);
        await AssertRefusedAsync(analyst, unjudged.Id, new { verdict = "maybe" }, "verdict");
        await AssertRefusedAsync(analyst, unjudged.Id, new { verdict = "incorrect" }, "expectedObjective");
        await AssertRefusedAsync(analyst, unjudged.Id, new { verdict = "incorrect", expectedObjective = 38 }, "expectedObjective"); // what it already answered
        Assert.Equal(HttpStatusCode.BadRequest, (await analyst.PostAsync($"/api/problems/{unjudged.Id}/feedback", new StringContent("{\"verdict\": ", System.Text.Encoding.UTF8, "application/json"))).StatusCode);

        var judged = await FeedbackAsync(analyst, unjudged.Id, new { verdict = "incorrect", expectedObjective = 36, note = "the mill has 18 hours" });
        Assert.Equal(("incorrect", 36.0, "the mill has 18 hours"), (judged.Feedback!.Verdict, judged.Feedback.ExpectedObjective, judged.Feedback.Note));
        Assert.Equal("key:test Analyst", judged.Feedback.By);
        Assert.Equal(("failed", 36.0, "WrongAnswer", true), (judged.Status, judged.ExpectedObjective, judged.LatestAttempt!.Status, judged.LatestAttempt.QueuedForLearning));
        Assert.True(await app.WithDbAsync(db => db.AuditLog.AnyAsync(a => a.Action == "feedback" && a.EntityId == unjudged.Id.ToString())));

        // The dashboard's "waiting for learning" is what the next run consumes.
        var waiting = (await app.SendAsync(new GetDashboard())).OpenFailures;
        Assert.Equal(2, waiting);

        var job = await analyst.WaitForEndAsync((await analyst.StartAsync(LearningKind.KindName, new { })).Id, 300);

        Assert.True(job.State == "succeeded", $"{job.State}: {job.Error}\n{job.Report}");
        var metrics = job.Metrics!.Value;
        Assert.Equal((2, 0, 2), (metrics.GetProperty("learnItems").GetInt32(), metrics.GetProperty("failedItems").GetInt32(), metrics.GetProperty("consumedFailures").GetInt32()));
        Assert.Equal(waiting, metrics.GetProperty("learnItems").GetInt32());
        Assert.True(metrics.GetProperty("verificationSolvesPerFailure").GetDouble() <= 2, job.Report);
        Assert.Contains("Verification solves:", job.Report, StringComparison.Ordinal);
        Assert.Equal(0, (await app.SendAsync(new GetDashboard())).OpenFailures);

        // The lesson was offered and filed where it acts, and it acts there.
        var extraction = app.Model.Calls.First(c => c.Purpose == "extract-insights" && c.User.Contains("A sawmill", StringComparison.Ordinal));
        Assert.Contains(LearningFromUseApp.Offered(extraction.User), l => l.StartsWith("Domain Modeling / ", StringComparison.Ordinal));
        var lesson = await app.WithDbAsync(db => db.Insights.Include(i => i.Taxonomy).SingleAsync(i => i.Status == InsightStatus.Active && i.Explanation.Contains("SAW-RULE")));
        var stage = await app.WithDbAsync(db => db.TaxonomyNodes.Where(n => n.Id == lesson.Taxonomy[0].ParentId).Select(n => n.Parent!.Name).SingleAsync());
        Assert.Equal("Code Implementation", stage);
        Assert.Equal([submitted.Id, unjudged.Id], lesson.SourceProblemIds.Order());
        Assert.False(await app.WithDbAsync(db => db.Insights.AnyAsync(i => i.Status == InsightStatus.Proposed)));

        var fresh = await SubmitAsync(analyst, "A sawmill (order 3) turns logs into posts and rails; maximise profit.", 36);
        Assert.Equal("Correct", fresh.LatestAttempt!.Status);
    }

    [Fact]
    public async Task HeldOutProblemsAreNeverQueuedAndCorrectFeedbackIsPositiveEvidenceKeptWithItsHistory()
    {
        using var analyst = app.ClientWithKey(await app.CreateKeyAsync(Role.Analyst));
        var helper = await app.AddActiveInsightAsync("General Formulation", "Integrality of Counts", "When a dairy's products share the hours of its churn.",
            "DAIRY-NOTE: the churn's hours bound every product.");

        var heldOut = await app.AddProblemAsync("A granary of the test split stores wheat and barley; maximise profit.", 36, "test", "granaries");
        var attempt = await app.SolveAsync(heldOut);
        Assert.Equal((AttemptStatus.WrongAnswer, false), (attempt.Status, attempt.QueuedForLearning));
        Assert.Contains("held out", attempt.LearningNote, StringComparison.Ordinal);
        var judged = await FeedbackAsync(analyst, heldOut, new { verdict = "incorrect", expectedObjective = 36 });
        Assert.False(judged.LatestAttempt!.QueuedForLearning);
        Assert.Contains("split 'test' is never learned from", judged.LatestAttempt.LearningNote, StringComparison.Ordinal);
        using (var held = await analyst.PostAsJsonAsync("/api/jobs", new { kind = LearningKind.KindName, parameters = new { split = "test" } }))
        {
            Assert.Equal(HttpStatusCode.BadRequest, held.StatusCode);
            Assert.Contains("held out", await held.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        // An answer that was right, said so twice: the second replaces the first, both are kept, evidence counts once.
        var right = await SubmitAsync(analyst, "A dairy churns butter and cream within the churn's weekly hours; maximise profit.", null);
        Assert.Contains(helper, RetrievedIds(right.LatestAttempt!));
        await FeedbackAsync(analyst, right.Id, new { verdict = "correct", note = "checked by hand" });
        var again = await FeedbackAsync(analyst, right.Id, new { verdict = "correct", expectedObjective = 36 });

        Assert.Equal(("solved", 36.0, "Correct", "judged correct by feedback"), (again.Status, again.ExpectedObjective, again.LatestAttempt!.Status, again.LatestAttempt.LearningNote));
        var history = await analyst.GetFromJsonAsync<List<FeedbackDto>>($"/api/problems/{right.Id}/feedback", Json);
        Assert.Equal([(null, "correct"), ("checked by hand", "correct")], history!.Select(f => (f.Note, f.Verdict)));
        var evidence = await app.InsightAsync(helper);
        Assert.Equal([right.Id.ToString()], evidence.Evidence.Positive);
        Assert.Equal(1, evidence.Usage.Positive);
    }

    [Fact]
    public async Task TwoWorkersLoseNoLearnItemLeaveOneInsightPerLessonAndSpendAtMostTwoSolvesPerFailure()
    {
        using var analyst = app.ClientWithKey(await app.CreateKeyAsync(Role.Analyst));

        // Round one: four failures that teach the same lesson in the same words, learned side by side, and a brewery.
        var quarries = new List<long>();
        for (var order = 1; order <= 4; order++)
        {
            quarries.Add(Failed(await SubmitAsync(analyst, $"A quarry (order {order}) cuts slabs and blocks on one crusher; maximise profit.", 36)));
        }

        var firstBrewery = Failed(await SubmitAsync(analyst, "A brewery (order 1) brews ale and stout in its brew house; maximise profit.", 36));
        var first = await LearnAsync(analyst, expectedItems: 5);

        // Round two: two brewery failures whose learners merge into the same insight at the same moment.
        app.HoldMerges = true;
        var breweries = new List<long> { firstBrewery };
        for (var order = 2; order <= 3; order++)
        {
            breweries.Add(Failed(await SubmitAsync(analyst, $"A brewery (order {order}) brews lager and porter in its brew house; maximise profit.", 36)));
        }

        var second = await LearnAsync(analyst, expectedItems: 2);
        Assert.True(app.SecondMergeArrived.Task.IsCompletedSuccessfully, "the two brewery learners never asked for a merge at the same time, so no race was tried");
        var notes = await ItemNotesAsync(second.Id);
        Assert.Contains(notes, n => n.Contains("lost a write race", StringComparison.Ordinal));

        // One lesson, one insight, with every source; nothing left half-way.
        var active = await app.WithDbAsync(db => db.Insights.Where(i => i.Status == InsightStatus.Active).ToListAsync());
        var quarryLesson = Lesson(active, "QUARRY-RULE", notes);
        var breweryLesson = Lesson(active, "BREW-RULE", notes);
        Assert.Equal(quarries, quarryLesson.SourceProblemIds.Order());
        Assert.Equal(breweries, breweryLesson.SourceProblemIds.Order());
        Assert.False(await app.WithDbAsync(db => db.Insights.AnyAsync(i => i.Status == InsightStatus.Proposed)));
        Assert.False(await app.WithDbAsync(db => db.Attempts.AnyAsync(a => a.QueuedForLearning)));

        // At most two verification solves per failure in each run, merges and races included, as the reports say.
        foreach (var run in new[] { first, second })
        {
            var m = run.Metrics!.Value;
            var solves = m.GetProperty("solves").EnumerateObject().Sum(p => p.Value.GetInt32());
            Assert.Equal(solves, m.GetProperty("verificationSolves").GetInt32());
            Assert.True(m.GetProperty("verificationSolvesPerFailure").GetDouble() <= 2.0, run.Report);
        }

        Assert.Equal("Correct", (await SubmitAsync(analyst, "A quarry (order 5) cuts setts on one crusher; maximise profit.", 36)).LatestAttempt!.Status);
        Assert.Equal("Correct", (await SubmitAsync(analyst, "A brewery (order 4) brews bitter in its brew house; maximise profit.", 36)).LatestAttempt!.Status);
    }

    [Fact]
    public async Task AnEmptyReplyOrAProgramWithoutItsBlockIsAModelFailureAndNeverLearningWork()
    {
        using var analyst = app.ClientWithKey(await app.CreateKeyAsync(Role.Analyst));

        var blank = await SubmitAsync(analyst, "A blank answer problem: maximise profit.", 36);
        var prose = await SubmitAsync(analyst, "A cannery seals tins of two sizes; maximise profit.", 36);

        foreach (var (problem, why) in new[] { (blank, "it is empty"), (prose, "no ```csharp block") })
        {
            var attempt = problem.LatestAttempt!;
            Assert.Equal(("failed", "ModelFailed", false), (problem.Status, attempt.Status, attempt.QueuedForLearning));
            Assert.Contains(why, attempt.Error, StringComparison.Ordinal);
            Assert.Null(attempt.Program);
        }

        Assert.Equal(2, app.Model.Calls.Count(c => c.Purpose == "formulation" && c.User.Contains("A blank answer", StringComparison.Ordinal))); // Pipeline:ReplyAttempts
        Assert.Equal(2, app.Model.Calls.Count(c => c.Purpose == "program" && c.User.Contains("A cannery", StringComparison.Ordinal)));
        Assert.Contains("Your previous reply could not be used: it is empty", app.Model.Calls.Last(c => c.Purpose == "formulation" && c.User.Contains("A blank answer", StringComparison.Ordinal)).User, StringComparison.Ordinal);
        var usage = prose.LatestAttempt!.ModelUsage!;
        Assert.Equal(3, usage.Count); // the formulation and both program replies, the refused ones too
    }

    [Fact]
    public async Task AnAnalystGivesFeedbackOnTheProblemPageWhichShowsItAndRefusesANumberItCannotRead()
    {
        using var analyst = app.ClientWithKey(await app.CreateKeyAsync(Role.Analyst));
        var problem = await SubmitAsync(analyst, "A dairy (page) churns butter and cream within the churn's weekly hours; maximise profit.", null);
        var page = $"/admin/problems/{problem.Id}";
        var (_, _, session) = await Security.AdminSession.SignInAsync(app, "admin", await app.ReadCredentialAsync("admin_password"));
        using (session)
        {
            Assert.Contains("No feedback yet.", await session.Client.GetStringAsync(page), StringComparison.Ordinal);

            var unreadable = await PostFormAsync(session, page, "Give.Verdict=incorrect&Give.ExpectedObjective=lots&Give.Note=");
            Assert.Equal(HttpStatusCode.BadRequest, unreadable.StatusCode);
            Assert.Contains("Write the objective as a number", await unreadable.Content.ReadAsStringAsync(), StringComparison.Ordinal);

            var given = await PostFormAsync(session, page, "Give.Verdict=incorrect&Give.ExpectedObjective=40&Give.Note=the+churn+has+22+hours");
            var html = await given.Content.ReadAsStringAsync();
            Assert.True(given.StatusCode == HttpStatusCode.OK, html);
            Assert.Contains("Feedback recorded.", html, StringComparison.Ordinal);
            Assert.Contains("the churn has 22 hours", html, StringComparison.Ordinal);
            Assert.Contains("Learning: waiting for learning", html, StringComparison.Ordinal);
        }

        var judged = await analyst.GetFromJsonAsync<ProblemDto>($"/api/problems/{problem.Id}", Json);
        Assert.Equal(("incorrect", 40.0, "user:admin"), (judged!.Feedback!.Verdict, judged.Feedback.ExpectedObjective, judged.Feedback.By));
        Assert.True(judged.LatestAttempt!.QueuedForLearning);

        // Thought better of: judged right after all, it leaves the queue (and leaves the class's other tests a queue of their own).
        var corrected = await FeedbackAsync(analyst, problem.Id, new { verdict = "correct" });
        Assert.Equal((36.0, "Correct", false), (corrected.ExpectedObjective, corrected.LatestAttempt!.Status, corrected.LatestAttempt.QueuedForLearning));
    }

    private static async Task<HttpResponseMessage> PostFormAsync(Security.AdminSession session, string page, string fields)
    {
        var token = await session.TokenAsync(page);
        using var content = new StringContent($"_handler=feedback&__RequestVerificationToken={Uri.EscapeDataString(token)}&{fields}",
            System.Text.Encoding.UTF8, "application/x-www-form-urlencoded");
        return await session.Client.PostAsync(page, content);
    }

    private async Task<JobDto> LearnAsync(HttpClient analyst, int expectedItems)
    {
        var job = await analyst.WaitForEndAsync((await analyst.StartAsync(LearningKind.KindName, new { })).Id, 600);
        Assert.True(job.State == "succeeded", $"{job.State}: {job.Error}\n{job.Report}");
        var m = job.Metrics!.Value;
        Assert.True((m.GetProperty("learnItems").GetInt32(), m.GetProperty("failedItems").GetInt32()) == (expectedItems, 0), job.Report);
        Assert.Equal(expectedItems, m.GetProperty("results").EnumerateObject().Sum(p => p.Value.GetInt32())); // the counts add up to the items
        return job;
    }

    private static Insight Lesson(List<Insight> active, string rule, List<string> notes)
    {
        var teaching = active.Where(i => i.Explanation.Contains(rule, StringComparison.Ordinal)).ToList();
        Assert.True(teaching.Count == 1, $"{teaching.Count} active insights teach {rule}: " +
            string.Join("; ", teaching.Select(i => $"{i.Id} v{i.Version} from problems {string.Join(",", i.SourceProblemIds)}: {i.Explanation}")) +
            "\nnotes of the last run:\n" + string.Join("\n", notes));
        return teaching[0];
    }

    private static long Failed(ProblemDto problem)
    {
        Assert.True(problem.LatestAttempt is { Status: "WrongAnswer", QueuedForLearning: true }, JsonSerializer.Serialize(problem.LatestAttempt, Json));
        return problem.Id;
    }

    private Task<List<string>> ItemNotesAsync(long jobId) => app.WithDbAsync(async db =>
    {
        var results = await db.JobItems.AsNoTracking().Where(i => i.JobId == jobId && i.Result != null).Select(i => i.Result!).ToListAsync();
        return results.Where(r => r.RootElement.TryGetProperty("notes", out _))
            .SelectMany(r => r.RootElement.GetProperty("notes").EnumerateArray().Select(n => n.GetString()!)).ToList();
    });

    private static List<long> RetrievedIds(AttemptDto attempt) =>
        [.. attempt.RetrievedInsights!.Formulation.Insights.Concat(attempt.RetrievedInsights.Program.Insights).Select(r => r.Insight.Id)];

    private static async Task<ProblemDto> SubmitAsync(HttpClient client, string text, double? expected)
    {
        var response = await client.PostAsJsonAsync("/api/problems?wait=180", new { text, expectedObjective = expected });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<ProblemDto>(Json))!;
    }

    private static async Task<ProblemDto> FeedbackAsync(HttpClient client, long id, object body)
    {
        var response = await client.PostAsJsonAsync($"/api/problems/{id}/feedback", body);
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<ProblemDto>(Json))!;
    }

    private static async Task AssertRefusedAsync(HttpClient client, long id, object body, string field)
    {
        var response = await client.PostAsJsonAsync($"/api/problems/{id}/feedback", body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, text);
        Assert.Contains($"\"{field}\"", text, StringComparison.OrdinalIgnoreCase);
    }
}

/// <summary>A creamery's program is right only when its prompt holds WHEY-RULE, which an analyst planted.</summary>
public sealed class EvolutionFromUseApp : ScriptedLibraryApp
{
    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Retrieval:UseModel"] = "false",
        ["Worker:InProcess"] = "true",
    };

    protected override string Answer(ModelCall call, int n) => call.Purpose switch
    {
        "formulation" => Formulate(call),
        "program" => Code(call.User.Contains("WHEY-RULE", StringComparison.Ordinal) ? Right : Wrong),
        _ => throw new InvalidOperationException($"No script for {call.Purpose}."),
    };
}

public sealed class EvolutionFromUseTests(EvolutionFromUseApp app) : IClassFixture<EvolutionFromUseApp>
{
    [Fact]
    public async Task TheEvolutionJobWithNoParametersDiagnosesSubmissionsWithKnownAnswersAndTrainProblemsButNothingHeldOut()
    {
        using var analyst = app.ClientWithKey(await app.CreateKeyAsync(Role.Analyst));
        var rule = await app.AddActiveInsightAsync("General Formulation", "Integrality of Counts", "When a creamery separates whey from curds.",
            "WHEY-RULE: the separator's hours bound every product.");
        var response = await analyst.PostAsJsonAsync("/api/problems?wait=180", new { text = "A creamery separates whey and curds within its separator's hours; maximise profit." });
        var submitted = (await response.Content.ReadFromJsonAsync<ProblemDto>(new JsonSerializerOptions(JsonSerializerDefaults.Web)))!;
        Assert.Equal("Solved", submitted.LatestAttempt!.Status);
        var noAnswer = await app.AddProblemAsync("A creamery with no known answer churns; maximise profit.", 36, "train", "creameries");
        await app.WithDbAsync(db => db.Problems.Where(p => p.Id == noAnswer).ExecuteUpdateAsync(s => s.SetProperty(p => p.ExpectedObjective, (double?)null)));
        Assert.Equal(HttpStatusCode.OK, (await analyst.PostAsJsonAsync($"/api/problems/{submitted.Id}/feedback", new { verdict = "correct" })).StatusCode);
        var train = await app.AddProblemAsync("A creamery of the train split presses cheese from whey; maximise profit.", 36, "train", "creameries");
        var heldOut = await app.AddProblemAsync("A creamery of the test split dries whey into powder; maximise profit.", 36, "test", "creameries");

        var job = await analyst.WaitForEndAsync((await analyst.StartAsync(EvolutionKind.KindName, new { })).Id, 300);

        Assert.True(job.State == "succeeded", $"{job.State}: {job.Error}\n{job.Report}");
        var diagnosed = await app.WithDbAsync(db => db.JobItems.Where(i => i.JobId == job.Id && i.Phase == "diagnose").Select(i => i.Key).ToListAsync());
        Assert.Equal([submitted.Id.ToString(), train.ToString()], diagnosed.Order());
        Assert.DoesNotContain(heldOut.ToString(), diagnosed);
        Assert.Equal((2, 2), (job.Metrics!.Value.GetProperty("diagnosed").GetInt32(), job.Metrics.Value.GetProperty("correct").GetInt32()));
        var evidence = (await app.InsightAsync(rule)).Evidence.Positive;
        Assert.Contains(submitted.Id.ToString(), evidence);
        Assert.Contains(train.ToString(), evidence);
        using var refused = await analyst.PostAsJsonAsync("/api/jobs", new { kind = EvolutionKind.KindName, parameters = new { split = "test" } });
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
    }
}
