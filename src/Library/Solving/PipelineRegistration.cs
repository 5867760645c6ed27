using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OptLib.Library.Jobs;
using OptLib.Library.Prompts;

namespace OptLib.Library.Solving;

internal static class PipelineRegistration
{
    /// <summary>The formulate, program and solve pipeline: its settings, its prompts, and the job kind that solves a submitted problem.</summary>
    public static IHostApplicationBuilder AddPipeline(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<PipelineOptions>().BindConfiguration(PipelineOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<PromptLibrary>();
        builder.Services.AddScoped<Pipeline>();
        builder.Services.AddJobKind<SolveKind>();
        return builder;
    }
}
