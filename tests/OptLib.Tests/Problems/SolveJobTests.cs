using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using OptLib.Library.Access;
using OptLib.Library.Jobs;
using OptLib.Library.Problems;
using OptLib.Tests.Infrastructure;
using OptLib.Tests.Jobs;

namespace OptLib.Tests.Problems;

/// <summary>
/// A submitted problem is solved by a job of kind "solve", like every other background run: it is listed with the
/// jobs, names its problem, ends with the attempt in its result, and cancels through the job routes.
/// </summary>
[Collection(JobServerCollection.Name)]
public sealed class SolveJobTests(PipelineApp app) : IClassFixture<PipelineApp>
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    [Fact]
    public async Task ASubmittedProblemIsASolveJobThatNamesItAndEndsWithItsAttempt()
    {
        using var analyst = app.ClientWithKey(await app.CreateKeyAsync(Role.Analyst));
        var problem = await SubmitAsync(analyst, "A glass plant makes doors and windows; maximise profit (solve job).", expected: 36);
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
            var problem = await SubmitAsync(analyst, "hold-for-the-job-route: the glass plant.", expected: null);
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
        Assert.Contains("Known kinds: evaluation", known, StringComparison.Ordinal);
        Assert.DoesNotContain("solve", known, StringComparison.Ordinal); // not offered among them
    }

    private static async Task<ProblemDto> SubmitAsync(HttpClient client, string text, double? expected)
    {
        var response = await client.PostAsJsonAsync("/api/problems", new { text, expectedObjective = expected });
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<ProblemDto>(Json))!;
    }
}
