using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace EmailMonitor.Configuration;

internal static class ConfigurationExtensions
{
    /// <summary>Replaces the host's configuration sources with the translated CONTRACT variables.</summary>
    public static WebApplicationBuilder AddServiceConfiguration(this WebApplicationBuilder builder, LoadedSettings settings)
    {
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddInMemoryCollection(settings.ConfigurationValues);
        builder.Services.AddSingleton(settings);
        builder.Services.TryAddSingleton(TimeProvider.System);
        // Kestrel is configured while the app is built, before validation has run: read the section
        // directly and leave bad values to the validator, which reports them before anything starts.
        builder.WebHost.UseKestrelHttpsConfiguration();
        builder.Services.AddSingleton<ServerCertificate>();
        builder.WebHost.ConfigureKestrel((context, kestrel) =>
        {
            // Every body the API accepts is a small JSON object, and a client that dribbles its
            // headers (slowloris) gets no longer than a real one needs.
            kestrel.Limits.MaxRequestBodySize = ServerOptions.MaxRequestBodyBytes;
            kestrel.Limits.RequestHeadersTimeout = TimeSpan.FromSeconds(10);
            kestrel.Limits.KeepAliveTimeout = TimeSpan.FromSeconds(60);
            // Nothing tells a scanner which server software answers.
            kestrel.AddServerHeader = false;
            (context.Configuration.GetSection(ServerOptions.Section).Get<ServerOptions>() ?? new ServerOptions())
                .Listen(kestrel, context.HostingEnvironment.IsDevelopment(), listen => listen.UseHttps(https =>
                {
                    https.SslProtocols = System.Security.Authentication.SslProtocols.Tls12 | System.Security.Authentication.SslProtocols.Tls13;
                    var certificate = kestrel.ApplicationServices.GetRequiredService<ServerCertificate>();
                    https.ServerCertificateSelector = (_, _) => certificate.Current;
                }));
        });
        builder.Services.AddOptions<ServiceOptions>().BindConfiguration(ServiceOptions.Section);
        builder.Services.AddValidatedOptions<ServerOptions, ServerOptionsValidator>(ServerOptions.Section);
        return builder;
    }

    /// <summary>
    /// Runs every options validator registered with <c>ValidateOnStart</c> now, before anything
    /// starts, and returns each failure as one line.
    /// </summary>
    public static IReadOnlyList<string> FindConfigurationProblems(this IServiceProvider services)
    {
        try
        {
            services.GetRequiredService<IStartupValidator>().Validate();
            return [];
        }
        catch (OptionsValidationException ex)
        {
            return [.. ex.Failures];
        }
        catch (AggregateException ex)
        {
            return [.. ex.InnerExceptions.OfType<OptionsValidationException>().SelectMany(e => e.Failures)];
        }
    }
}
