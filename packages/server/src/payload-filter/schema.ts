// The payload filter field as the API's schemas declare it (request validation and the OpenAPI document). The
// schema says only "an object or null": the language's rules (payload-filter/check.ts) answer a 422 whose `loc`
// points into the filter, which a recursive JSON Schema's error could not say as plainly.
export const payloadFilterSchema = {
  type: ['object', 'null'],
  additionalProperties: true,
  description:
    'Only messages whose payload matches are sent to this endpoint (with filterTypes and channels). MongoDB query ' +
    'operators on dot-separated payload paths: a value (equality), $eq, $ne, $gt, $gte, $lt, $lte, $in, $nin, ' +
    '$exists, $not on a path; $and, $or, $nor between filters. Example: ' +
    '{"data.amount": {"$gte": 1000}, "$or": [{"data.currency": "EUR"}, {"data.customer.tier": {"$in": ["gold"]}}]}. ' +
    'null or {}: every payload.',
} as const;
