using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OptLib.Library.Storage;
using OptLib.Platform.Database;

namespace OptLib.Library.Access;

/// <summary>
/// On the first start there is no admin, so nobody could create keys or sign in. This creates an admin API key and
/// an admin user with a generated password, prints them once and writes them to &lt;data dir&gt;/credentials, readable
/// by the owner only.
/// </summary>
public sealed class AccessBootstrap(OptLibDbContext db, IOptions<OptLibOptions> options, ILogger<AccessBootstrap> logger)
{
    public const string CredentialsFileName = "credentials";

    public string CredentialsPath => Path.Combine(options.Value.DataDirectoryFullPath, CredentialsFileName);

    public const string AdminUserName = "admin";

    public async Task EnsureAdminAsync(CancellationToken ct)
    {
        await EnsureAdminKeyAsync(ct);
        await EnsureAdminUserAsync(ct);
    }

    private async Task EnsureAdminUserAsync(CancellationToken ct)
    {
        // Only a service with no users at all gets one: an admin who removed or disabled this account meant it.
        if (await db.Users.AnyAsync(ct))
        {
            return;
        }

        var password = Users.NewPassword();
        db.Users.Add(Users.New(AdminUserName, password, Role.Admin));
        await db.SaveChangesAsync(ct);
        WriteCredentials(CredentialsPath, $"admin_user={AdminUserName}");
        WriteCredentials(CredentialsPath, $"admin_password={password}");
        logger.LogWarning("Created the admin UI user '{User}' and wrote its password to {Path} (owner-only). It is printed once below.", AdminUserName, CredentialsPath);
        Console.Out.WriteLine($"""

            ==================================================================
             OptLib admin UI sign-in (shown once; also saved in {CredentialsPath}):
               user {AdminUserName}, password {password}
             Sign in at /admin/login.
            ==================================================================

            """);
    }

    private async Task EnsureAdminKeyAsync(CancellationToken ct)
    {
        if (await db.ApiKeys.AnyAsync(k => k.Role == Role.Admin && k.RevokedAt == null, ct))
        {
            return;
        }

        var (_, secret) = await ApiKeys.CreateAsync(db, "first admin key", Role.Admin, "system", ct);
        WriteCredentials(CredentialsPath, $"admin_api_key={secret}");
        logger.LogWarning("Created the first admin API key and wrote it to {Path} (owner-only). It is printed once below.", CredentialsPath);
        Console.Out.WriteLine($"""

            ==================================================================
             OptLib admin API key (shown once; also saved in {CredentialsPath}):
               {secret}
             Send it as the X-Api-Key header.
            ==================================================================

            """);
    }

    /// <summary>Adds or replaces a "name=value" line in the credentials file, keeping it owner-only (0600).</summary>
    public static void WriteCredentials(string path, string line)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var name = line[..line.IndexOf('=', StringComparison.Ordinal)];
        var lines = File.Exists(path)
            ? File.ReadAllLines(path).Where(l => !l.StartsWith(name + "=", StringComparison.Ordinal)).ToList()
            : ["# OptLib credentials. Keep this file private; delete it once the secrets are stored elsewhere."];
        lines.Add(line);

        var unixOnly = !OperatingSystem.IsWindows();
        var streamOptions = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (unixOnly)
        {
            streamOptions.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var writer = new StreamWriter(path, System.Text.Encoding.UTF8, streamOptions))
        {
            foreach (var l in lines)
            {
                writer.WriteLine(l);
            }
        }

        if (unixOnly)
        {
            // UnixCreateMode applies only to new files; an existing file keeps its mode unless set again.
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
    }
}
