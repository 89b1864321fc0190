"""Early warning: the financial-resilience and service-pressure indicators and their rules
(``flags``), assessed for every council with data published by a date (``resilience``)."""
