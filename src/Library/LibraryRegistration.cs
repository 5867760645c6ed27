using EFCore.NamingConventions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using OptLib.Library.Access;
using OptLib.Library.Embedded;
using OptLib.Library.Jobs;
using OptLib.Library.Models;
using OptLib.Library.Prompts;
using OptLib.Library.Retrieval;
using OptLib.Library.Storage;

namespace OptLib.Library;

public static class LibraryRegistration
{
    public const string MigrationsAssembly = "OptLib.Migrations";

    /// <summary>The experience library: the database (embedded or configured), its schema and the job engine.</summary>
    public static IHostApplicationBuilder AddLibrary(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<OptLibOptions>().BindConfiguration(OptLibOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<OptLibDatabase>();
        services.AddOptions<EmbeddingOptions>().BindConfiguration(EmbeddingOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        if (builder.Configuration.GetSection(EmbeddingOptions.Section).Get<EmbeddingOptions>() is { IsOpenAi: true } embeddingOptions)
        {
            services.AddHttpClient<IEmbeddingProvider, OpenAiEmbedding>(http => http.Timeout = TimeSpan.FromSeconds(embeddingOptions.TimeoutSeconds));
        }
        else
        {
            services.AddSingleton<IEmbeddingProvider, LexicalEmbedding>();
        }

        services.AddSingleton<InsightEmbeddingInterceptor>();
        services.AddOptions<RetrievalOptions>().BindConfiguration(RetrievalOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton<PromptLibrary>();
        services.TryAddSingleton<IChatModel, UnconfiguredChatModel>(); // AddModels registers the configured one over it
        services.AddDbContext<OptLibDbContext>((sp, options) => options
            .AddInterceptors(sp.GetRequiredService<InsightEmbeddingInterceptor>())
            .UseNpgsql(sp.GetRequiredService<OptLibDatabase>().DataSource, npgsql => npgsql
                .MigrationsAssembly(MigrationsAssembly)
                .UseVector())
            .UseSnakeCaseNamingConvention());
        services.AddScoped<AccessBootstrap>();

        // Order matters: the database starts (and migrates) before anything else that needs it.
        services.AddHostedService<DatabaseStartup>();
        services.AddHostedService<EmbeddedPostgresSupervisor>();
        services.AddHostedService<EmbeddingModelCheck>();
        builder.AddJobEngine();
        return builder;
    }
}
