using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using OptLib.Library.Storage;

namespace OptLib.Library.Taxonomy;

/// <summary>
/// The taxonomy a new library starts with, written for OptLib: what to recognise in a problem (Domain Modeling), how
/// to state it mathematically (General Formulation), and what goes wrong when the formulation becomes a C# OR-Tools
/// program (Code Implementation). Seeded once, when the taxonomy is empty; labels can be added afterwards.
/// </summary>
public static class StarterTaxonomy
{
    public sealed record Label(string Stage, string Level1, string Level2, string Definition, string Condition);

    public static readonly IReadOnlyList<Label> Labels =
    [
        new("Domain Modeling", "Routing", "Vehicle Routing and Subtours",
            "Visit every customer exactly once per route and forbid cycles that do not pass through the depot.",
            "Use when vehicles or agents leave a depot, serve locations and return, and the order of visits matters."),
        new("Domain Modeling", "Routing", "Network Flow Conservation",
            "At every intermediate node, what flows in equals what flows out plus what is consumed there.",
            "Use when goods, people or money move along arcs of a network between sources and sinks."),
        new("Domain Modeling", "Selection and Packing", "Knapsack Capacity",
            "Choose items whose summed weight, volume or cost stays within one budget while the value is best.",
            "Use when a subset of items must be picked under a single scalar capacity or budget."),
        new("Domain Modeling", "Selection and Packing", "Assignment",
            "Give each task to exactly one agent (and, where stated, each agent at most one task).",
            "Use when items must be matched one-to-one or one-to-many between two sets."),
        new("Domain Modeling", "Production and Inventory", "Inventory Balance Over Time",
            "Stock at the end of a period equals the previous stock plus production minus demand.",
            "Use when a plan spans several periods and leftovers carry over from one period to the next."),
        new("Domain Modeling", "Production and Inventory", "Fixed Setup Costs",
            "Pay a one-off charge whenever an activity is used at all, linked to its amount by an on/off decision.",
            "Use when opening a facility, starting a machine or placing an order costs something regardless of quantity."),
        new("Domain Modeling", "Scheduling", "Precedence and Time Windows",
            "Tasks start after their predecessors end and within their allowed windows.",
            "Use when jobs have durations, orderings, release times or deadlines."),
        new("General Formulation", "Decision Variables", "Integrality of Counts",
            "Quantities of indivisible things (people, vehicles, machines) are integer variables.",
            "Use when a variable counts whole units and a fractional answer would be meaningless."),
        new("General Formulation", "Decision Variables", "Binary Indicators",
            "A yes/no choice is a 0/1 variable that other constraints can switch on or off.",
            "Use when the problem says whether to open, select, use or assign something."),
        new("General Formulation", "Constraints", "Logical Conditions with Big-M",
            "Express if-then rules by relaxing a constraint with a large constant unless a binary is set.",
            "Use when a constraint must hold only if some decision is made, or only one of several constraints must hold."),
        new("General Formulation", "Constraints", "Ratios and Percentages",
            "Rewrite a share such as x / (x + y) >= p as a linear constraint x >= p (x + y).",
            "Use when the problem states a minimum or maximum proportion, percentage or ratio."),
        new("General Formulation", "Objective", "Units and Direction of the Objective",
            "Maximise or minimise exactly what is asked, in consistent units, including every cost term stated.",
            "Use when the objective mixes several costs or revenues, or the text asks for profit rather than revenue."),
        new("Code Implementation", "CP-SAT", "Integer-Only Coefficients",
            "CP-SAT accepts integer variables and integer coefficients only; scale fractional data to integers first.",
            "Use when a CP-SAT model has fractional costs, weights or bounds, or continuous quantities."),
        new("Code Implementation", "CP-SAT", "Boolean Literals and Enforcement",
            "Use BoolVar and OnlyEnforceIf for conditional constraints instead of products of variables.",
            "Use when a CP-SAT constraint must hold only when some decision is true."),
        new("Code Implementation", "LinearSolver", "Backend Selection",
            "GLOP solves continuous LPs only; integer variables need a MIP backend such as SCIP or CBC.",
            "Use when a LinearSolver model has integer or binary variables, or when the chosen solver may be missing."),
        new("Code Implementation", "LinearSolver", "Strict Inequalities",
            "Solvers accept only <=, >= and =; model x > a as x >= a + 1 for integers or x >= a + epsilon otherwise.",
            "Use when the problem says more than, less than, strictly, or at least one more."),
        new("Code Implementation", "LinearSolver", "Big-M Magnitude",
            "Choose the smallest valid big-M from the data; huge constants cause numerical trouble and weak bounds.",
            "Use when a program uses a large constant (1e6, double.MaxValue, infinity) to switch constraints on or off."),
        new("Code Implementation", "Data and Indexing", "Index Ranges and Off-by-One",
            "Loops and arrays follow the data's sizes and 0-based indices; periods 1..T map to 0..T-1 consistently.",
            "Use when the program indexes by periods, products or locations, especially when the text numbers them from 1."),
        new("Code Implementation", "Data and Indexing", "Matrix Dimension Mismatch",
            "Every coefficient table has the shape its loops assume; rows and columns are not swapped.",
            "Use when data comes as two-dimensional tables such as costs from sources to destinations."),
    ];

    /// <summary>Stage definitions, so the top of the tree explains itself too.</summary>
    public static readonly IReadOnlyDictionary<string, string> Stages = new Dictionary<string, string>
    {
        ["Domain Modeling"] = "Recognising the structure of the problem: what kind of system it describes.",
        ["General Formulation"] = "Stating variables, constraints and objective correctly in mathematics.",
        ["Code Implementation"] = "Turning the formulation into a correct C# program with Google OR-Tools (CP-SAT or LinearSolver).",
    };

    /// <summary>Adds the starter taxonomy when there is none; a library that already has nodes is left as it is.</summary>
    public static async Task SeedAsync(OptLibDbContext db, ILogger logger, CancellationToken ct)
    {
        if (await db.TaxonomyNodes.AnyAsync(ct))
        {
            return;
        }

        var tree = await TaxonomyTree.LoadAsync(db, ct);
        foreach (var (stage, definition) in Stages)
        {
            tree.Ensure([stage], definition);
        }

        foreach (var label in Labels)
        {
            tree.Ensure([label.Stage, label.Level1, label.Level2], label.Definition, label.Condition);
        }

        await db.SaveChangesAsync(ct);
        logger.LogInformation("Seeded the starter taxonomy with {Count} labels", Labels.Count);
    }
}
