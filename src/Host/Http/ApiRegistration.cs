namespace CoManagement.Host.Http;

public static class ApiRegistration
{
    public static WebApplicationBuilder AddApi(this WebApplicationBuilder builder, HostSettings settings) => builder;

    public static WebApplication MapApi(this WebApplication app) => app;
}
