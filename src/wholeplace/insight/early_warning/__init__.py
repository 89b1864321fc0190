"""Early warning: the financial-resilience and service-pressure indicators and their rules
(``flags``), the decade measures (``measures``), assessed for every council with data published
by a date (``resilience``), and the backtest of what followed (``backtest``)."""
