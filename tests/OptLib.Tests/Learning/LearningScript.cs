using System.Text.RegularExpressions;
using Mediator;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OptLib.Library.Attempts;
using OptLib.Library.Insights;
using OptLib.Library.Models;
using OptLib.Library.Problems;
using OptLib.Library.Solving;
using OptLib.Tests.Infrastructure;
using OptLib.Tests.Models;
using OptLib.Tests.Problems;

namespace OptLib.Tests.Learning;

/// <summary>
/// Programs for the scripted model. The right one is the solver corpus's Wyndor program (optimum 36); the wrong one
/// gives the assembly plant 20 hours instead of 18 (optimum 38); the broken one lacks a semicolon.
/// </summary>
public static partial class LearningScript
{
    public static readonly string Right = PipelineApp.Wyndor;

    public static readonly string Wrong = Right.Replace("3 * doors + 2 * windows <= 18", "3 * doors + 2 * windows <= 20", StringComparison.Ordinal);

    public static readonly string Broken = Right.Replace("ctx.Use(solver);", "ctx.Use(solver)", StringComparison.Ordinal);

    /// <summary>A model that fixes the objective to the answer instead of solving for it.</summary>
    public const string HardCoded = """
        using Google.OrTools.LinearSolver;
        public sealed class Cheat : IOptModel
        {
            public void Build(IModelContext ctx)
            {
                var solver = Solver.CreateSolver("GLOP");
                var profit = solver.MakeNumVar(0, double.PositiveInfinity, "profit");
                solver.Add(profit == 36);
                solver.Maximize(profit);
                ctx.Use(solver);
                ctx.Report("profit", profit);
            }
        }
        """;

    public static string Code(string program) => "```csharp\n" + program + "\n```";

    /// <summary>A formulation that carries along every insight it was shown, citing each, as a diligent model would.</summary>
    public static string Formulate(ModelCall call) =>
        "Sets: products. Variables: doors, windows. Objective: maximise profit.\n" +
        string.Join('\n', ShownInsights(call.User).Select(m => $"Applied [I{m.Id}]: {m.Text}"));

    /// <summary>The insights rendered into a prompt, one "[I12] text" line each.</summary>
    public static IEnumerable<(long Id, string Text)> ShownInsights(string prompt) =>
        ShownPattern().Matches(prompt).Select(m => (long.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), m.Groups[2].Value.Trim()));

    /// <summary>The ids after "Id: " in the part of a prompt that follows the marker.</summary>
    public static List<long> IdsAfter(string prompt, string marker) =>
        [.. IdPattern().Matches(prompt[prompt.IndexOf(marker, StringComparison.Ordinal)..]).Select(m => long.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture))];

    [GeneratedRegex(@"^\[I(\d+)\] (.*)$", RegexOptions.Multiline)]
    private static partial Regex ShownPattern();

    [GeneratedRegex(@"^Id: (\d+)", RegexOptions.Multiline)]
    private static partial Regex IdPattern();
}

/// <summary>The service with a scripted model and helpers to add problems and insights and to send requests.</summary>
public abstract class ScriptedLibraryApp : OptLibApp
{
    protected ScriptedLibraryApp() => Model = new ScriptedChatModel((call, n) => Answer(call, n));

    public ScriptedChatModel Model { get; }

    protected abstract string Answer(ModelCall call, int n);

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureTestServices(services => services.AddSingleton<IChatModel>(Model));
    }

    public async Task<T> SendAsync<T>(IRequest<T> request)
    {
        await using var scope = Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<ISender>().Send(request);
    }

    public Task<long> AddProblemAsync(string text, double expected, string split, string dataset = "toy") => WithDbAsync(async db =>
    {
        var problem = new Problem
        {
            Text = text,
            ExpectedObjective = expected,
            Dataset = dataset,
            Split = split,
            Status = ProblemStatus.Queued,
            CreatedAt = DateTimeOffset.UtcNow,
            UpdatedAt = DateTimeOffset.UtcNow,
        };
        db.Problems.Add(problem);
        await db.SaveChangesAsync();
        return problem.Id;
    });

    /// <summary>Solves the problem as a user's submission would, and returns the attempt.</summary>
    public async Task<Attempt> SolveAsync(long problemId)
    {
        var attemptId = await SendAsync(new SolveProblem(problemId));
        return await WithDbAsync(db => db.Attempts.AsNoTracking().SingleAsync(a => a.Id == attemptId));
    }

    public Task<Insight> InsightAsync(long id) =>
        WithDbAsync(db => db.Insights.AsNoTracking().Include(i => i.Taxonomy).SingleAsync(i => i.Id == id));

    /// <summary>Adds an active insight through the library's own request, filed under an existing level-2 label.</summary>
    public async Task<long> AddActiveInsightAsync(string stage, string level2, string condition, string explanation)
    {
        var node = await WithDbAsync(db => db.TaxonomyNodes.Where(n => n.Depth == 2 && n.Name == level2 && n.Parent!.Parent!.Name == stage).Select(n => n.Id).SingleAsync());
        return (await SendAsync(new CreateInsight(condition, explanation, string.Empty, [node], "active", [], [], "planted by the test", "test"))).Id;
    }
}
