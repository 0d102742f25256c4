namespace CoManagement.Domain.Common;

/// <summary>Which end of a member's mobility an organisation or an actor stands on.</summary>
public enum Side
{
    Outflow,
    Inflow,
}
