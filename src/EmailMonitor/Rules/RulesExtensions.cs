namespace EmailMonitor.Rules;

internal static class RulesExtensions
{
    public static IHostApplicationBuilder AddRules(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<RuleStore>();
        builder.Services.AddSingleton<RuleBook>();
        builder.Services.AddHostedService<RuleRefresher>();
        return builder;
    }
}
