global using Microsoft.Extensions.DependencyInjection;
global using CoManagement.Host.Auth;
