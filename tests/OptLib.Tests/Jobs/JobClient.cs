using System.Net.Http.Json;
using System.Text.Json;
using OptLib.Library.Jobs;
using OptLib.Tests.Infrastructure;

namespace OptLib.Tests.Jobs;

/// <summary>Starting and following jobs over REST, as a client would.</summary>
public static class JobClient
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static async Task<JobDto> StartAsync(this HttpClient client, string kind, object parameters)
    {
        var response = await client.PostAsJsonAsync("/api/jobs", new { kind, parameters });
        Assert.Equal(System.Net.HttpStatusCode.Accepted, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JobDto>(Json))!;
    }

    public static async Task<JobDto> GetJobAsync(this HttpClient client, long id) =>
        (await client.GetFromJsonAsync<JobDto>($"/api/jobs/{id}", Json))!;

    /// <summary>Polls the job until <paramref name="until"/> holds, or fails the test with the job's last state.</summary>
    public static Task<JobDto> WaitForAsync(this HttpClient client, long id, Func<JobDto, bool> until, TimeSpan timeout) =>
        Eventually.ValueAsync(() => client.GetJobAsync(id), until, timeout, $"job {id}",
            job => $"{job.State} at {job.Progress.Done}/{job.Progress.Total} ({job.CurrentStep}); error: {job.Error}; log: {string.Join(" | ", job.Log.TakeLast(5).Select(l => l.Message))}");

    public static Task<JobDto> WaitForEndAsync(this HttpClient client, long id, int seconds = 60) =>
        client.WaitForAsync(id, j => j.IsFinished, TimeSpan.FromSeconds(seconds));
}
