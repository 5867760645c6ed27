using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace OptLib.Library.Jobs;

/// <summary>Our jobs on top of the platform's Hangfire: the coordinator, its statements, the built-in kinds and the schedules.</summary>
internal static class JobEngine
{
    public static void AddJobEngine(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<JobStore>();
        builder.Services.AddScoped<JobRunner>();
        builder.Services.AddScoped<JobLauncher>();
        builder.Services.AddJobKind<SelfTestKind>();
        builder.Services.AddJobKind<ReembedKind>();
        builder.Services.AddJobKind<Evaluation.EvaluationKind>();
        builder.Services.AddJobKind<Comparison.ComparisonKind>();
        builder.Services.AddScoped<ScheduledJobTrigger>();
        builder.Services.AddSingleton<JobScheduler>();
        builder.Services.AddHostedService<JobScheduler.OnStart>();
    }
}
