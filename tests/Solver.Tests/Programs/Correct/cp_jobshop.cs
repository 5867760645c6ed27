using Google.OrTools.Sat;

// The OR-Tools job-shop example: three jobs, three machines, interval variables and no-overlap.
public sealed class JobShop : IOptModel
{
    public void Build(IModelContext ctx)
    {
        var jobs = new List<(int Machine, int Duration)[]>
        {
            new[] { (0, 3), (1, 2), (2, 2) },
            new[] { (0, 2), (2, 1), (1, 4) },
            new[] { (1, 4), (2, 3) },
        };
        var horizon = jobs.Sum(job => job.Sum(t => t.Duration));
        var model = new CpModel();
        var perMachine = new Dictionary<int, List<IntervalVar>>();
        var ends = new List<IntVar>();
        for (var j = 0; j < jobs.Count; j++)
        {
            IntVar previousEnd = null;
            for (var k = 0; k < jobs[j].Length; k++)
            {
                var (machine, duration) = jobs[j][k];
                var start = model.NewIntVar(0, horizon, $"start_{j}_{k}");
                var end = model.NewIntVar(0, horizon, $"end_{j}_{k}");
                var interval = model.NewIntervalVar(start, duration, end, $"task_{j}_{k}");
                if (!perMachine.ContainsKey(machine))
                    perMachine[machine] = new List<IntervalVar>();
                perMachine[machine].Add(interval);
                if (previousEnd is not null)
                    model.Add(start >= previousEnd);
                previousEnd = end;
            }
            ends.Add(previousEnd);
        }
        foreach (var intervals in perMachine.Values)
            model.AddNoOverlap(intervals);
        var makespan = model.NewIntVar(0, horizon, "makespan");
        model.AddMaxEquality(makespan, ends);
        model.Minimize(makespan);
        ctx.Use(model);
        ctx.Report("makespan", makespan);
    }
}
