using EFCore.NamingConventions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using OptLib.Library.Access;
using OptLib.Library.Jobs;
using OptLib.Library.Learning;
using OptLib.Library.Models;
using OptLib.Library.Reads;
using OptLib.Library.Retrieval;
using OptLib.Library.Solving;
using OptLib.Library.Storage;
using OptLib.Library.Validation;
using OptLib.Platform;
using OptLib.Platform.Database;
using OptLib.Solver;

namespace OptLib.Library;

public static class LibraryRegistration
{
    public const string MigrationsAssembly = "OptLib.Migrations";

    /// <summary>
    /// Everything a host of the experience library needs, in one call: the platform (logging, the database, Hangfire),
    /// the library's storage and schema, embeddings, the model seam, the solver, the pipeline, learning, the jobs, and
    /// Mediator with its validation. A host adds only its own front end (HTTP, a command line).
    /// </summary>
    public static IHostApplicationBuilder AddLibrary(this IHostApplicationBuilder builder)
    {
        builder.AddPlatform();
        var services = builder.Services;
        services.AddSingleton<IDatabaseInitializer, LibrarySchema>();
        services.AddOptions<EmbeddingOptions>().BindConfiguration(EmbeddingOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        var embeddingOptions = builder.Configuration.GetSection(EmbeddingOptions.Section).Get<EmbeddingOptions>() ?? new EmbeddingOptions();
        if (embeddingOptions.IsOpenAi)
        {
            services.AddHttpClient<IEmbeddingProvider, OpenAiEmbedding>(http => http.Timeout = TimeSpan.FromSeconds(embeddingOptions.TimeoutSeconds));
        }
        else if (embeddingOptions.IsMiniLm)
        {
            services.AddSingleton<IEmbeddingProvider, MiniLmEmbedding>();
        }
        else
        {
            services.AddSingleton<IEmbeddingProvider, LexicalEmbedding>();
        }

        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<TextQuery>();
        services.AddSingleton<VectorIndex>();
        services.AddOptions<RetrievalOptions>().BindConfiguration(RetrievalOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<ReadModelOptions>().BindConfiguration(ReadModelOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<ReadModel>();
        services.AddDbContext<OptLibDbContext>((sp, options) => options
            .AddInterceptors(new InsightEmbedding.Guard(), sp.GetRequiredService<ReadModel>().Invalidation)
            .UseNpgsql(sp.GetRequiredService<OptLibDatabase>().DataSource, npgsql => npgsql
                .MigrationsAssembly(MigrationsAssembly)
                .UseVector())
            .UseSnakeCaseNamingConvention());
        services.AddScoped<AccessBootstrap>();
        services.AddHostedService<EmbeddingModelCheck>();

        builder.AddModels();
        builder.AddSolver();
        builder.AddPipeline();
        builder.AddLearning();
        builder.AddJobEngine();
        services.AddMediator(options => options.ServiceLifetime = ServiceLifetime.Scoped);
        services.AddSingleton(typeof(Mediator.IPipelineBehavior<,>), typeof(ValidationBehavior<,>));
        services.AddSingleton<Mediator.IPipelineBehavior<Solver.Runs.RunProgram, Solver.Runs.RunResult>, SolverRunValidation>();
        return builder;
    }
}
