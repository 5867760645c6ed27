using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OptLib.Library.Prompts;

namespace OptLib.Library.Solving;

internal static class PipelineRegistration
{
    /// <summary>The formulate, program and solve pipeline: its settings, prompts and the Hangfire job that runs it.</summary>
    public static IHostApplicationBuilder AddPipeline(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<PipelineOptions>().BindConfiguration(PipelineOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<PromptLibrary>();
        builder.Services.AddScoped<SolveProblemJob>();
        return builder;
    }
}
