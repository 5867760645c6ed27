using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OptLib.Library.Evolution;
using OptLib.Library.Jobs;

namespace OptLib.Library.Learning;

internal static class LearningRegistration
{
    /// <summary>Library learning and evolution: their settings and the pieces their handlers are built from.</summary>
    public static IHostApplicationBuilder AddLearning(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<LearningOptions>().BindConfiguration(LearningOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddOptions<EvolutionOptions>().BindConfiguration(EvolutionOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddScoped<SolveVerification>();
        builder.Services.AddScoped<ProgramRepair>();
        builder.Services.AddScoped<SelfExplore>();
        builder.Services.AddScoped<InsightExtraction>();
        builder.Services.AddScoped<InsightMerge>();
        builder.Services.AddJobKind<LearningKind>();
        builder.Services.AddJobKind<EvolutionKind>();
        return builder;
    }
}
