using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using OptLib.Platform.Hosting;

namespace OptLib.Platform.Database;

/// <summary>
/// The service's one database: either the configured PostgreSQL server (ConnectionStrings:OptLib) or, when none is
/// configured, the embedded one. It starts once, before anything opens a connection, and owns the NpgsqlDataSource.
/// </summary>
public sealed class OptLibDatabase(IConfiguration configuration, IOptions<OptLibOptions> options, ILoggerFactory loggers) : IAsyncDisposable
{
    public const string ConnectionStringName = "OptLib";

    private readonly ILogger _logger = loggers.CreateLogger<OptLibDatabase>();
    private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private NpgsqlDataSource? _dataSource;

    public NpgsqlDataSource DataSource => _dataSource ??
        throw new InvalidOperationException("The database has not been started yet; DatabaseStartup starts it with the host.");

    public EmbeddedPostgres? Embedded { get; private set; }

    public string ConnectionString { get; private set; } = string.Empty;

    public bool IsStarted => _dataSource is not null;

    /// <summary>Completes once the database is up and the data source is built.</summary>
    public Task Started => _started.Task;

    public async Task StartAsync(CancellationToken ct)
    {
        if (_dataSource is not null)
        {
            return;
        }

        try
        {
            var configured = configuration.GetConnectionString(ConnectionStringName);
            if (string.IsNullOrWhiteSpace(configured))
            {
                var settings = options.Value;
                Embedded = await EmbeddedPostgres.StartAsync(new EmbeddedPostgresOptions
                {
                    DataDirectory = settings.DataDirectoryFullPath,
                    InMemory = settings.Embedded.InMemory,
                    TemplateDirectory = string.IsNullOrWhiteSpace(settings.Embedded.TemplateDirectory) ? null : Path.GetFullPath(settings.Embedded.TemplateDirectory),
                    LauncherDirectory = settings.Embedded.LauncherDirectory,
                    NodeExecutable = settings.Embedded.NodeExecutable,
                    MaxConnections = settings.Embedded.MaxConnections,
                    StartTimeout = TimeSpan.FromSeconds(settings.Embedded.StartTimeoutSeconds),
                }, loggers.CreateLogger<EmbeddedPostgres>(), ct);
                ConnectionString = Embedded.ConnectionString;
            }
            else
            {
                ConnectionString = configured;
                var target = new NpgsqlConnectionStringBuilder(configured);
                _logger.LogInformation("Using the PostgreSQL server at {Host}:{Port}, database {Database}", target.Host, target.Port, target.Database);
            }

            // The extension must exist before the data source is built, or Npgsql cannot map the vector type.
            await EnsureVectorExtensionAsync(ConnectionString, ct);
            _dataSource = BuildDataSource();
            _started.TrySetResult();
        }
        catch (Exception ex)
        {
            _started.TrySetException(ex);
            throw;
        }
    }

    /// <summary>
    /// After the embedded server was restarted: makes sure pgvector is there and builds a fresh data source, so that
    /// no pooled connection or cached type of the dead server survives.
    /// </summary>
    public async Task ReconnectAsync(CancellationToken ct)
    {
        await EnsureVectorExtensionAsync(ConnectionString, ct);
        var old = _dataSource;
        _dataSource = BuildDataSource();
        if (old is not null)
        {
            await old.DisposeAsync();
        }
    }

    private NpgsqlDataSource BuildDataSource()
    {
        var builder = new NpgsqlDataSourceBuilder(ConnectionString);
        builder.UseVector();
        return builder.Build();
    }

    /// <summary>The installed pgvector version, or null when the database does not answer.</summary>
    public async Task<string?> VectorVersionAsync(CancellationToken ct)
    {
        await using var command = DataSource.CreateCommand("SELECT extversion FROM pg_extension WHERE extname = 'vector'");
        return await command.ExecuteScalarAsync(ct) as string;
    }

    public async ValueTask DisposeAsync()
    {
        if (_dataSource is not null)
        {
            await _dataSource.DisposeAsync();
        }

        if (Embedded is not null)
        {
            await Embedded.DisposeAsync();
        }
    }

    private async Task EnsureVectorExtensionAsync(string connectionString, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        try
        {
            await connection.OpenAsync(ct);
        }
        catch (NpgsqlException ex)
        {
            throw new StartupException($"Cannot connect to PostgreSQL ({ex.Message}). Check ConnectionStrings:OptLib, or leave it empty to use the embedded database.", ex);
        }

        await using var command = new NpgsqlCommand("CREATE EXTENSION IF NOT EXISTS vector", connection);
        try
        {
            await command.ExecuteNonQueryAsync(ct);
        }
        catch (PostgresException ex)
        {
            throw new StartupException(
                $"The pgvector extension is not available on this PostgreSQL server ({ex.MessageText}). " +
                "Install pgvector on the server (or use the pgvector/pgvector image), then start again.", ex);
        }

        await using var version = new NpgsqlCommand("SELECT extversion FROM pg_extension WHERE extname = 'vector'", connection);
        _logger.LogInformation("pgvector {Version} is available", await version.ExecuteScalarAsync(ct));
    }
}
