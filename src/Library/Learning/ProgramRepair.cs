using System.Text;
using Microsoft.Extensions.Options;
using OptLib.Library.Attempts;
using OptLib.Library.Models;
using OptLib.Library.Problems;
using OptLib.Library.Prompts;
using OptLib.Library.Solving;
using OptLib.Solver;
using OptLib.Solver.Runs;
using OptLib.Solver.Sandbox;

namespace OptLib.Library.Learning;

/// <summary>
/// A program failure, diagnosed and repaired by the advanced model in bounded rounds, each round run in the sandbox.
/// It counts as repaired only when the program then reaches the expected answer from the solver.
/// </summary>
public sealed class ProgramRepair(IChatModel model, ISandbox sandbox, PromptLibrary prompts, IOptions<LearningOptions> options,
    IOptions<PipelineOptions> pipeline, IOptions<SolverOptions> solver)
{
    public async Task<Breakthrough?> RepairAsync(Problem problem, Attempt attempt, List<ModelUsage> usage, CancellationToken ct)
    {
        var broken = attempt.Program ?? string.Empty;
        var source = broken;
        var diagnostics = Diagnostics(attempt.SolverResult);
        var history = new StringBuilder();
        for (var round = 1; round <= options.Value.MaxRepairRounds; round++)
        {
            var reply = await model.CompleteAsync(new ModelCall(ModelRole.Advanced, "You diagnose and repair C# OR-Tools programs.",
                prompts[PromptLibrary.DiagnoseRepair].Render(new Dictionary<string, string>
                {
                    ["contract"] = ContractPrompt.Text,
                    ["diagnostics"] = diagnostics,
                    ["program"] = source,
                    ["history"] = history.Length == 0 ? "(none)" : history.ToString(),
                    ["formulation"] = attempt.Formulation ?? "(none)",
                    ["problem"] = problem.Text,
                }), Purpose: $"diagnose-repair {round}"), ct);
            usage.Add(reply.Usage);
            var repaired = CodeBlocks.Extract(reply.Text);
            var result = await sandbox.RunAsync(new RunRequest(ProgramLanguage.CSharp, repaired, pipeline.Value.SolverTimeLimitSeconds, problem.ExpectedObjective), ct);
            var untrusted = Answers.Untrusted(repaired, result, problem, solver.Value);
            if (untrusted is null && Answers.Reaches(problem, result.Objective, solver.Value))
            {
                return new Breakthrough("program", attempt.Formulation ?? string.Empty, broken, attempt.Formulation ?? string.Empty, repaired,
                    result.Objective!.Value, Diagnosis(reply.Text) + "\nThe sandbox had said:\n" + Diagnostics(attempt.SolverResult), round);
            }

            diagnostics = untrusted ?? Describe(result);
            history.Append("Round ").Append(round).Append(": ").AppendLine(diagnostics);
            source = repaired;
        }

        return null;
    }

    /// <summary>The diagnostics of a stored solver result, one per line.</summary>
    public static string Diagnostics(RunResult? solverResult) => solverResult switch
    {
        null => "(no diagnostics were recorded)",
        { Diagnostics.Count: 0 } => $"status {solverResult.Status}, no diagnostics",
        _ => $"status {solverResult.Status}\n" + solverResult.DiagnosticLines(),
    };

    public static string Describe(RunResult result) => result.Diagnostics.Count == 0
        ? $"status {result.Status}, objective {result.Objective?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none"}"
        : $"status {result.Status}\n" + result.DiagnosticLines();

    /// <summary>The text before the code: the model's "Diagnosis:" paragraph.</summary>
    private static string Diagnosis(string reply)
    {
        var fence = reply.IndexOf("```", StringComparison.Ordinal);
        var text = (fence >= 0 ? reply[..fence] : reply).Trim();
        return text.Length == 0 ? "(no diagnosis given)" : text;
    }
}
