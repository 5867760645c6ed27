namespace OptLib.Platform.Database;

/// <summary>How the embedded PostgreSQL (PGlite + pgvector) is started when no connection string is configured.</summary>
public sealed class EmbeddedPostgresOptions
{
    /// <summary>Where the database files live; PGlite keeps them between runs.</summary>
    public required string DataDirectory { get; init; }

    /// <summary>Keep the database in memory only (tests): nothing is written and no folder lock is taken.</summary>
    public bool InMemory { get; init; }

    /// <summary>The folder holding server.mjs and its node_modules; found from the build when empty.</summary>
    public string? LauncherDirectory { get; init; }

    /// <summary>The Node.js executable; found on PATH when empty.</summary>
    public string? NodeExecutable { get; init; }

    /// <summary>For an in-memory database: a folder holding a snapshot of an initialised one, to start from (written when missing).</summary>
    public string? TemplateDirectory { get; init; }

    public int MaxConnections { get; init; } = 32;

    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromSeconds(90);
}
