extern alias runner;
using System.Diagnostics;
using runner::OptLib.Solver.Runner.Harness;
using runner::OptLib.Solver.Wire;

namespace OptLib.Solver.Tests;

/// <summary>The runner's analysis in process, for what the HTTP tests cannot steer: running out of time.</summary>
public sealed class LinearAnalysisTests
{
    [Fact]
    public void AFilterThatRunsOutOfTimeKeepsWhatItDidNotTestAndSaysItIsIncomplete()
    {
        // One LP per member: 6,000 rows of 20 variables take seconds, far beyond the one second given.
        var (model, names) = Planted(variables: 20, spareRows: 6_000);
        var clock = Stopwatch.StartNew();

        var conflict = LinearAnalysis.Conflict(model, names, Deadline.After(1), 1024);

        Assert.NotNull(conflict);
        Assert.False(conflict.Complete);
        Assert.Subset(conflict.Constraints.ToHashSet(), new HashSet<string> { "cap", "least_x0", "least_x1" });
        Assert.True(conflict.Constraints.Count > 3, "the untested rows should have been kept");
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"the filter took {clock.Elapsed.TotalSeconds:F1} s for a 1 s budget");
    }

    [Fact]
    public void NoTimeLeftMeansNoAnalysis()
    {
        var (model, names) = Planted(variables: 2, spareRows: 1);

        Assert.Null(LinearAnalysis.Conflict(model, names, Deadline.After(0), 1024));
        Assert.Null(LinearAnalysis.Sensitivity(model, names, [0, 0], Deadline.After(0)));
    }

    [Fact]
    public void AFeasibleModelHasNoConflict()
    {
        var (model, names) = Planted(variables: 2, spareRows: 1);
        var feasible = model with { Rows = model.Rows.Where(r => r.Name != "cap").ToList() };

        Assert.Null(LinearAnalysis.Conflict(feasible, names, Deadline.After(10), 1024));
    }

    /// <summary>x0 + x1 &lt;= 10 ("cap"), x0 &gt;= 6 and x1 &gt;= 5 cannot hold together; the spare rows and the bounds 0..100 can.</summary>
    private static (LinearSnapshot Model, List<string> Names) Planted(int variables, int spareRows)
    {
        var all = Enumerable.Range(0, variables).ToArray();
        var rows = Enumerable.Range(0, spareRows)
            .Select(k => new LinearRow($"spare_{k}", double.NegativeInfinity, 1_000_000, all, all.Select(j => (double)((k + j) % 5 + 1)).ToArray()))
            .ToList();
        rows.Add(new LinearRow("cap", double.NegativeInfinity, 10, [0, 1], [1, 1]));
        rows.Add(new LinearRow("least_x0", 6, double.PositiveInfinity, [0], [1]));
        rows.Add(new LinearRow("least_x1", 5, double.PositiveInfinity, [1], [1]));
        var model = new LinearSnapshot(true, 0, new double[variables], Enumerable.Repeat(100.0, variables).ToArray(), new bool[variables],
            Enumerable.Repeat(1.0, variables).ToArray(), rows, 0);
        return (model, all.Select(j => $"x{j}").ToList());
    }
}
