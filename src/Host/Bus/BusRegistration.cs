namespace CoManagement.Host.Bus;

public static class BusRegistration
{
    public static WebApplicationBuilder AddBus(this WebApplicationBuilder builder, HostSettings settings) => builder;
}
