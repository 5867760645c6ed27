using Mediator;
using OptLib.Library.Problems;

namespace OptLib.Api.Problems;

/// <summary>Submitting a problem and waiting a while for its answer: what POST /api/problems?wait=N and the MCP tool do.</summary>
internal static class ProblemWait
{
    public const int MaxSeconds = 300;

    /// <summary>The problem as it is when it finishes or the wait ends, whichever comes first.</summary>
    public static async Task<ProblemDto> SubmitAndWaitAsync(this ISender sender, SubmitProblem submit, int? waitSeconds, CancellationToken ct)
    {
        var id = await sender.Send(submit, ct);
        var deadline = DateTime.UtcNow.AddSeconds(Math.Clamp(waitSeconds ?? 0, 0, MaxSeconds));
        var problem = (await sender.Send(new GetProblem(id), ct))!;
        while (!problem.IsFinished && DateTime.UtcNow < deadline)
        {
            await Task.Delay(250, ct);
            problem = (await sender.Send(new GetProblem(id), ct))!;
        }

        return problem;
    }
}
