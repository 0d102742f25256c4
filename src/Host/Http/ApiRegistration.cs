using System.Text.Json.Serialization;
using CoManagement.Host.Auth;
using CoManagement.Projections.Queries;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using CoManagement.Domain.Members;
using Microsoft.OpenApi;
using Npgsql;

namespace CoManagement.Host.Http;

/// <summary>The HTTP side: bearer authentication and role policies, ProblemDetails for every error, OpenAPI, health, endpoints.</summary>
public static class ApiRegistration
{
    public static WebApplicationBuilder AddApi(this WebApplicationBuilder builder, HostSettings settings)
    {
        var services = builder.Services;
        // A bad key stops the start with a clear message; no key means every request is refused with a 401 saying so.
        if (!string.IsNullOrWhiteSpace(settings.SigningKey))
            services.AddSingleton(new TokenIssuer(settings.SigningKey));
        services.AddAuthentication(BearerAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, BearerAuthenticationHandler>(BearerAuthenticationHandler.SchemeName, null);
        services.AddAuthorizationBuilder()
            .AddPolicy(Roles.ReadFiguresPolicy, p => p.RequireClaim(Caller.RoleClaim, Roles.OrgStaff, Roles.Analyst))
            .AddPolicy(Roles.AnalystPolicy, p => p.RequireClaim(Caller.RoleClaim, Roles.Analyst))
            .AddPolicy(Roles.ReadAgreementsPolicy, p => p.RequireClaim(Caller.RoleClaim, Roles.OrgStaff, Roles.Analyst, Roles.Auditor))
            .AddPolicy(Roles.AuditPolicy, p => p.RequireClaim(Caller.RoleClaim, Roles.Auditor));

        services.AddProblemDetails();
        services.AddExceptionHandler<Api.BadRequestExceptionHandler>();
        // Throwing on a parameter that does not bind lets the handler above answer with the parameter's name and value.
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        services.Configure<JsonOptions>(o => o.SerializerOptions.Converters.Add(new JsonStringEnumConverter()));
        services.AddOpenApi(o => o
            .AddDocumentTransformer((document, _, _) =>
            {
                document.Info.Title = "Co-management of mobile party members (流动党员双向共管)";
                document.Components ??= new OpenApiComponents();
                document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
                document.Components.SecuritySchemes[BearerAuthenticationHandler.SchemeName] = new OpenApiSecurityScheme
                {
                    Type = SecuritySchemeType.Http,
                    Scheme = "bearer",
                    BearerFormat = "JWT",
                    Description = "HS256 token with claims sub, role (org-staff | analyst | auditor), org, side (Outflow | Inflow); the `token` verb issues one.",
                };
                return Task.CompletedTask;
            })
            // Only endpoints that require a token say so; health and the document itself are open.
            .AddOperationTransformer((operation, context, _) =>
            {
                var metadata = context.Description.ActionDescriptor.EndpointMetadata;
                if (metadata.OfType<IAllowAnonymous>().Any() || !metadata.OfType<IAuthorizeData>().Any())
                    return Task.CompletedTask;
                operation.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(BearerAuthenticationHandler.SchemeName, context.Document)] = [] }];
                return Task.CompletedTask;
            })
            // A flags enumeration is written as a comma-separated string, which the generated schema cannot tell.
            .AddSchemaTransformer((schema, context, _) =>
            {
                if (context.JsonTypeInfo.Type == typeof(MemberRisks))
                    schema.Description = Doc.Risks;
                return Task.CompletedTask;
            }));

        services.AddScoped<OrgScope>();
        services.AddSingleton<AuditLog>();
        // The read models' queries go through their own data source (no automatic preparation: see QueryDataSource).
        static T Query<T>(IServiceProvider sp) =>
            ActivatorUtilities.CreateInstance<T>(sp, sp.GetRequiredKeyedService<NpgsqlDataSource>(CoreServices.ReadsPool));
        services.AddSingleton(Query<RosterQuery>);
        services.AddSingleton(Query<CoverageQuery>);
        services.AddSingleton(Query<RiskQuery>);
        services.AddSingleton(Query<FlowMatrixQuery>);
        services.AddSingleton(Query<AgreementQuery>);

        var thresholds = (builder.Configuration.GetSection("Health").Get<HealthThresholds>() ?? new HealthThresholds()).Validated();
        var timeout = TimeSpan.FromSeconds(thresholds.CheckTimeoutSeconds);
        services.AddSingleton(thresholds);
        // MassTransit and the bus registration add their checks to the same service, so readiness includes the broker.
        services.AddHealthChecks()
            .AddCheck<DatabaseHealthCheck>("database", tags: ["ready"], timeout: timeout)
            .AddCheck<FeedHealthCheck>("feed", tags: ["ready"], timeout: timeout)
            .AddCheck<ProjectionsHealthCheck>("projections", tags: ["ready"], timeout: timeout)
            .AddCheck<SigningKeyHealthCheck>("signing-key", tags: ["ready"]);
        return builder;
    }

    public static WebApplication MapApi(this WebApplication app)
    {
        if (app.Services.GetService<TokenIssuer>() is null)
            app.Logger.LogError("{Reason}", SigningKeyHealthCheck.Missing);
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseEnumNamesInAnyCase();

        app.MapOpenApi().AllowAnonymous();
        var health = app.MapGroup("/health").WithTags("Health").AllowAnonymous();
        health.MapGet("/live", () => TypedResults.Ok(new { status = "Healthy" }))
            .WithSummary("The process is up and serving requests.");
        health.MapGet("/ready", Ready)
            .WithSummary("Database reachable and migrated, broker connected, feed and projection lag (503 when unhealthy).")
            .Produces(StatusCodes.Status503ServiceUnavailable);
        app.MapAuditorEndpoints();
        app.MapAnalystEndpoints();
        app.MapDashboard();
        return app;
    }

    private static async Task<JsonHttpResult<object>> Ready(HealthCheckService health, CancellationToken ct)
    {
        var report = await health.CheckHealthAsync(ct);
        return TypedResults.Json(HealthResponse.Body(report),
            statusCode: report.Status == HealthStatus.Unhealthy ? StatusCodes.Status503ServiceUnavailable : StatusCodes.Status200OK);
    }
}
