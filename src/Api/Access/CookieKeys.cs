using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.DataProtection;
using OptLib.Library.Storage;

namespace OptLib.Api.Access;

/// <summary>Settings under "OptLib:KeyProtection": how the cookie keys kept in the database are encrypted at rest.</summary>
public sealed class KeyProtectionOptions
{
    public const string Section = "OptLib:KeyProtection";

    /// <summary>A PFX file whose certificate encrypts the keys; every instance needs the same one. Empty: DPAPI on Windows, none elsewhere.</summary>
    public string CertificatePath { get; set; } = string.Empty;

    /// <summary>The PFX file's password.</summary>
    public string CertificatePassword { get; set; } = string.Empty;
}

/// <summary>
/// The keys that sign the admin UI's cookies and anti-forgery tokens live in the service's database, so every
/// instance on that database accepts the others' cookies, and a restarted container keeps them. They are encrypted
/// with a configured certificate, or with DPAPI on Windows; otherwise they are as safe as the database is.
/// </summary>
internal static class CookieKeys
{
    public const string ApplicationName = "OptLib";

    public static IHostApplicationBuilder AddCookieKeys(this IHostApplicationBuilder builder)
    {
        var settings = builder.Configuration.GetSection(KeyProtectionOptions.Section).Get<KeyProtectionOptions>() ?? new KeyProtectionOptions();
        builder.Services.AddOptions<KeyProtectionOptions>().BindConfiguration(KeyProtectionOptions.Section);
        var keys = builder.Services.AddDataProtection()
            .SetApplicationName(ApplicationName) // not the content root, which differs between machines
            .PersistKeysToDbContext<OptLibDbContext>();
        if (settings.CertificatePath.Length > 0)
        {
            keys.ProtectKeysWithCertificate(X509CertificateLoader.LoadPkcs12FromFile(settings.CertificatePath, settings.CertificatePassword));
        }
        else if (OperatingSystem.IsWindows())
        {
            keys.ProtectKeysWithDpapi();
        }

        return builder;
    }
}
