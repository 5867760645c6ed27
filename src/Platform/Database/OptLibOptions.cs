using System.ComponentModel.DataAnnotations;

namespace OptLib.Platform.Database;

/// <summary>Settings under "OptLib": where data lives and how the embedded database runs.</summary>
public sealed class OptLibOptions
{
    public const string Section = "OptLib";

    /// <summary>The data folder: embedded database files, logs and the credentials file. Relative paths are from the current directory.</summary>
    [Required]
    public string DataDirectory { get; set; } = ".optlib";

    /// <summary>Apply pending EF Core migrations at start-up (an explicit, logged step).</summary>
    public bool MigrateOnStart { get; set; } = true;

    public EmbeddedSettings Embedded { get; set; } = new();

    public string DataDirectoryFullPath => Path.GetFullPath(DataDirectory);

    public sealed class EmbeddedSettings
    {
        /// <summary>Keep the embedded database in memory (tests, demos): nothing survives a restart.</summary>
        public bool InMemory { get; set; }

        /// <summary>
        /// With InMemory: a folder where the first start keeps a snapshot of a freshly initialised database, so that later
        /// in-memory starts skip initdb (seconds each; the test suite starts dozens). Empty: every start initialises.
        /// </summary>
        public string? TemplateDirectory { get; set; }

        public string? NodeExecutable { get; set; }

        public string? LauncherDirectory { get; set; }

        [Range(2, 200)]
        public int MaxConnections { get; set; } = 32;

        [Range(5, 600)]
        public int StartTimeoutSeconds { get; set; } = 90;

        /// <summary>How often the supervisor checks that the embedded server still answers.</summary>
        [Range(1, 3600)]
        public int HealthCheckSeconds { get; set; } = 15;

        /// <summary>
        /// How long a running server may leave the checks unanswered before it is restarted. A server that is merely
        /// busy answers within this; one whose process has exited is restarted at once.
        /// </summary>
        [Range(5, 86_400)]
        public int UnresponsiveSeconds { get; set; } = 120;
    }
}
