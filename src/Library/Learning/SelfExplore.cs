using System.Globalization;
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
/// A formulation failure with no reference program: the advanced model sees the failed attempts, what the solver
/// said and the expected objective, and writes up to N new models. A program whose objective does not come from the
/// solver (see <see cref="Answers.Untrusted"/>) is rejected and the model is told why.
/// </summary>
public sealed class SelfExplore(IChatModel model, ISandbox sandbox, PromptLibrary prompts, IOptions<LearningOptions> options,
    IOptions<PipelineOptions> pipeline, IOptions<SolverOptions> solver)
{
    public async Task<Breakthrough?> ExploreAsync(Problem problem, IReadOnlyList<Attempt> failed, List<ModelUsage> usage, CancellationToken ct)
    {
        var expected = problem.ExpectedObjective!.Value.ToString(CultureInfo.InvariantCulture);
        var failedText = new StringBuilder();
        foreach (var a in failed)
        {
            failedText.Append("Attempt ").Append(a.Id).Append(": ").Append(a.Status).Append(", objective ")
                .AppendLine(a.Objective?.ToString(CultureInfo.InvariantCulture) ?? "none")
                .AppendLine("Formulation:").AppendLine(a.Formulation ?? "(none)")
                .AppendLine("Program:").AppendLine(a.Program ?? "(none)")
                .AppendLine("Solver:").AppendLine(ProgramRepair.Diagnostics(a.SolverResult)).AppendLine();
        }

        var tries = new StringBuilder();
        for (var n = 1; n <= options.Value.MaxExplorePrograms; n++)
        {
            var reply = await model.CompleteAsync(new ModelCall(ModelRole.Advanced, "You find and fix errors in optimization models.",
                prompts[PromptLibrary.SelfExplore].Render(new Dictionary<string, string>
                {
                    ["expected"] = expected,
                    ["contract"] = ContractPrompt.Text,
                    ["failed"] = failedText.ToString(),
                    ["tries"] = tries.Length == 0 ? "(none)" : tries.ToString(),
                    ["problem"] = problem.Text,
                }), Purpose: $"self-explore {n}"), ct);
            usage.Add(reply.Usage);
            var program = CodeBlocks.Extract(reply.Text);
            var fence = reply.Text.IndexOf("```", StringComparison.Ordinal);
            var formulation = (fence >= 0 ? reply.Text[..fence] : string.Empty).Trim();
            var result = await sandbox.RunAsync(new RunRequest(ProgramLanguage.CSharp, program, pipeline.Value.SolverTimeLimitSeconds, problem.ExpectedObjective), ct);
            if (Answers.Untrusted(program, result, problem, solver.Value) is { } why)
            {
                tries.Append("Try ").Append(n).Append(" was rejected: ").AppendLine(why);
                continue;
            }

            if (Answers.Reaches(problem, result.Objective, solver.Value))
            {
                var first = failed[0];
                return new Breakthrough("formulation", first.Formulation ?? string.Empty, first.Program ?? string.Empty,
                    formulation.Length == 0 ? "(the model gave only the program)" : formulation, program, result.Objective!.Value,
                    $"The failed attempt reached {first.Objective?.ToString(CultureInfo.InvariantCulture) ?? "no objective"} ({first.Status}); the expected objective is {expected}.", n);
            }

            tries.Append("Try ").Append(n).Append(": ").AppendLine(ProgramRepair.Describe(result));
        }

        return null;
    }
}
